# Empty compiler generated dependencies file for herald_keys.
# This may be replaced when dependencies are built.
