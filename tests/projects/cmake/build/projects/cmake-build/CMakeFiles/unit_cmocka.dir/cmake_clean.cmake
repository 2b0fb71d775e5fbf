file(REMOVE_RECURSE
  "CMakeFiles/unit_cmocka.dir/unit_cmocka.c.o"
  "CMakeFiles/unit_cmocka.dir/unit_cmocka.c.o.d"
  "unit_cmocka"
  "unit_cmocka.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/unit_cmocka.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
