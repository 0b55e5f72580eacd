# Empty dependencies file for herald_agency.
# This may be replaced when dependencies are built.
