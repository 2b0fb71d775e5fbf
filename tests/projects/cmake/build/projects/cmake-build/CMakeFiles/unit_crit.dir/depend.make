# Empty dependencies file for unit_crit.
# This may be replaced when dependencies are built.
