# Empty compiler generated dependencies file for herald_base.
# This may be replaced when dependencies are built.
