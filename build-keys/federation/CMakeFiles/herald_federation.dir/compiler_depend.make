# Empty compiler generated dependencies file for herald_federation.
# This may be replaced when dependencies are built.
