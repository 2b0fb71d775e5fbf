file(REMOVE_RECURSE
  "CMakeFiles/unit_crit.dir/unit_crit.c.o"
  "CMakeFiles/unit_crit.dir/unit_crit.c.o.d"
  "unit_crit"
  "unit_crit.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/unit_crit.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
