file(REMOVE_RECURSE
  "CMakeFiles/tprog.dir/tprog.c.o"
  "CMakeFiles/tprog.dir/tprog.c.o.d"
  "tprog"
  "tprog.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/tprog.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
