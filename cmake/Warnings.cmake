set(RG_WARNING_FLAGS -Wall -Wextra -Wshadow -Wvla -Wstrict-prototypes -Wpointer-arith -Wformat=2)

function(rg_target_warnings target)
  target_compile_options(${target} PRIVATE ${RG_WARNING_FLAGS})
  if(RG_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
