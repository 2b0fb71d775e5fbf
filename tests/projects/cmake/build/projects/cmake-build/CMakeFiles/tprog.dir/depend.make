# Empty dependencies file for tprog.
# This may be replaced when dependencies are built.
