# The switches of the three SWIG bindings, DS_BUILD_JAVA, DS_BUILD_CSHARP and
# DS_BUILD_PYTHON, each one of
#   AUTO  (default) built if its whole toolchain is found; otherwise skipped,
#         with one STATUS line naming what is missing and how to get it;
#   ON    built; a missing piece is a FATAL_ERROR (CI: .ci/setup);
#   OFF   skipped, nothing is searched for.
# Included from the top-level CMakeLists.txt. DS_<LANG>_MODE holds the value
# normalised to AUTO, ON or OFF (CMake's other boolean spellings are accepted);
# it is a normal variable of the top directory, so every directory sees it.
# Each bindings/<lang>/CMakeLists.txt finds its own toolchain and, when a piece
# is missing, calls ds_binding_unavailable() and returns before defining any
# target: a binding is built if and only if its target exists
# (datasparse_java, datasparse_csharp, datasparse_python), which is what
# tests/ and bench/ check.

set(_ds_binding_doc_JAVA "the Java binding (SWIG 4, a JDK >= 17 with the JNI headers)")
set(_ds_binding_doc_CSHARP "the C# binding (SWIG 4, mcs and mono)")
set(_ds_binding_doc_PYTHON "the Python binding (SWIG 4, Python 3 with NumPy and its development headers)")

foreach(_ds_lang IN ITEMS JAVA CSHARP PYTHON)
  set(DS_BUILD_${_ds_lang} AUTO CACHE STRING
    "Build ${_ds_binding_doc_${_ds_lang}}: AUTO (if its toolchain is found), ON (required), OFF")
  set_property(CACHE DS_BUILD_${_ds_lang} PROPERTY STRINGS AUTO ON OFF)
  string(TOUPPER "${DS_BUILD_${_ds_lang}}" _ds_value)
  if(_ds_value STREQUAL "AUTO")
    set(DS_${_ds_lang}_MODE AUTO)
  elseif(_ds_value MATCHES "^(ON|YES|TRUE|Y|1)$")
    set(DS_${_ds_lang}_MODE ON)
  elseif(_ds_value MATCHES "^(OFF|NO|FALSE|N|0)$")
    set(DS_${_ds_lang}_MODE OFF)
  else()
    message(FATAL_ERROR "DS_BUILD_${_ds_lang} is '${DS_BUILD_${_ds_lang}}': use AUTO, ON or OFF")
  endif()
endforeach()
unset(_ds_lang)
unset(_ds_value)

# ds_binding_unavailable(<LANG> <name> <what is missing>...)
# Reports a binding whose toolchain is incomplete: a STATUS line with AUTO, a
# FATAL_ERROR with ON. Each <what is missing> reads "no X found: install Y, or
# set Z"; several are joined with "; ".
function(ds_binding_unavailable lang name)
  list(JOIN ARGN "; " why)
  if(DS_${lang}_MODE STREQUAL "ON")
    message(FATAL_ERROR "datasparse: ${name} binding cannot be built (${why}); "
      "it is required because DS_BUILD_${lang}=ON: configure with -DDS_BUILD_${lang}=AUTO or OFF to build without it")
  else()
    message(STATUS "datasparse: ${name} binding OFF (${why}); -DDS_BUILD_${lang}=ON makes this an error")
  endif()
endfunction()
