# cmake -P script behind the CTest entry cmake.plain_c_consumer (see CMakeLists.txt).
#   -DSOURCE_DIR=<datasparse source tree> -DWORK_DIR=<scratch directory>
#   [-DGENERATOR=] [-DC_COMPILER=] [-DCXX_COMPILER=]
# Configures SOURCE_DIR twice in fresh directories under WORK_DIR, with SWIG
# hidden (CMAKE_DISABLE_FIND_PACKAGE_SWIG), as a C user without any binding
# toolchain would:
#  1. defaults (every binding AUTO): must succeed, with the three "binding OFF" lines;
#  2. -DDS_BUILD_JAVA=ON: must fail, with the Java binding's error.
foreach(var SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "plain_c_consumer.cmake: -D${var}= is required")
  endif()
endforeach()

set(common -DCMAKE_DISABLE_FIND_PACKAGE_SWIG=ON -DDS_BUILD_TESTS=OFF -DDS_BUILD_TOOLS=OFF)
if(GENERATOR)
  list(APPEND common -G "${GENERATOR}")
endif()
if(C_COMPILER)
  list(APPEND common "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif()
if(CXX_COMPILER)
  list(APPEND common "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()

# configure(<name> <out-var> <rc-var> <extra args>...): a fresh build dir WORK_DIR/<name>.
function(configure name out_var rc_var)
  set(dir "${WORK_DIR}/${name}")
  file(REMOVE_RECURSE "${dir}")
  file(MAKE_DIRECTORY "${dir}")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${dir}" ${common} ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  file(WRITE "${dir}.log" "${out}")
  # CMake wraps the lines of an error message: compare with the whitespace collapsed.
  string(REGEX REPLACE "[ \t\r\n]+" " " out "${out}")
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

set(failures 0)
# check(<what> <condition>...): prints "ok"/"FAILED" and counts the failures.
macro(check what)
  if(${ARGN})
    message("ok: ${what}")
  else()
    message("FAILED: ${what}")
    math(EXPR failures "${failures} + 1")
  endif()
endmacro()

# 1. Every binding AUTO: configures, each binding OFF with its reason.
configure(auto out rc)
check("without SWIG, the defaults (AUTO) configure" rc EQUAL 0)
foreach(name IN ITEMS Java "C#" Python)
  string(FIND "${out}" "datasparse: ${name} binding OFF (" at)
  check("without SWIG, '${name} binding OFF (...)' is printed" NOT at EQUAL -1)
endforeach()
string(FIND "${out}" "CMAKE_DISABLE_FIND_PACKAGE_SWIG is ON" at)
check("the OFF messages name the missing SWIG" NOT at EQUAL -1)
string(FIND "${out}" "-DDS_BUILD_JAVA=ON makes this an error" at)
check("the OFF messages say how to make it an error" NOT at EQUAL -1)
string(FIND "${out}" "datasparse: bindings built: none" at)
check("the summary says no binding is built" NOT at EQUAL -1)
if(NOT rc EQUAL 0 OR failures GREATER 0)
  file(READ "${WORK_DIR}/auto.log" log)
  message("---- output of the AUTO configuration (${WORK_DIR}/auto.log):\n${log}")
endif()

# 2. Java required: the configuration fails and says why.
set(before ${failures})
configure(java_on out rc -DDS_BUILD_JAVA=ON)
check("without SWIG, -DDS_BUILD_JAVA=ON fails to configure" NOT rc EQUAL 0)
string(FIND "${out}" "datasparse: Java binding cannot be built (SWIG not searched for: CMAKE_DISABLE_FIND_PACKAGE_SWIG is ON)" at)
check("the failure names the Java binding and the missing SWIG" NOT at EQUAL -1)
string(FIND "${out}" "DS_BUILD_JAVA=ON" at)
check("the failure names DS_BUILD_JAVA=ON" NOT at EQUAL -1)
if(failures GREATER before)
  file(READ "${WORK_DIR}/java_on.log" log)
  message("---- output of the DS_BUILD_JAVA=ON configuration (${WORK_DIR}/java_on.log):\n${log}")
endif()

if(failures GREATER 0)
  message(FATAL_ERROR "cmake.plain_c_consumer: ${failures} check(s) failed")
endif()
message("cmake.plain_c_consumer: all checks passed")
