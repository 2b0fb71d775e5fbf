# Empty dependencies file for unit_cmocka.
# This may be replaced when dependencies are built.
