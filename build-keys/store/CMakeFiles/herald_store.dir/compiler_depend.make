# Empty compiler generated dependencies file for herald_store.
# This may be replaced when dependencies are built.
