# cmake -P script for CTest: an app-local C# deployment, done the way the
# README says. Installs the build into a temporary prefix, copies the C#
# assembly and the native libraries (the wrapper and libdatasparse.so.0)
# into an empty application directory, removes the prefix (nothing outside
# the application directory may be needed), compiles Program.cs there with
# `mcs -r:Datasparse.dll` and runs it with `mono Program.exe` in a clean
# environment (no LD_LIBRARY_PATH, no MONO_PATH).
#   -DBUILD_DIR= -DWORK_DIR= -DSOURCE= -DLIBDIR= -DMCS= -DMONO=
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(app "${WORK_DIR}/app")
file(MAKE_DIRECTORY "${app}")

execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}"
  OUTPUT_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()

# What a user copies: the assembly and its native wrapper from lib/cli/datasparse,
# and the C library (its SONAME file) from the library directory.
foreach(file "${prefix}/lib/cli/datasparse/Datasparse.dll" "${prefix}/lib/cli/datasparse/libdatasparse_csharp.so")
  file(COPY "${file}" DESTINATION "${app}")
endforeach()
file(REAL_PATH "${prefix}/${LIBDIR}/libdatasparse.so.0" soname_target)
file(COPY_FILE "${soname_target}" "${app}/libdatasparse.so.0")
file(REMOVE_RECURSE "${prefix}")
file(COPY "${SOURCE}" DESTINATION "${app}")

execute_process(COMMAND "${MCS}" -nologo -r:Datasparse.dll Program.cs
  WORKING_DIRECTORY "${app}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mcs -r:Datasparse.dll Program.cs failed (${rc})")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH --unset=MONO_PATH --unset=MONO_CONFIG
    "${MONO}" Program.exe
  WORKING_DIRECTORY "${app}" RESULT_VARIABLE rc
  OUTPUT_VARIABLE out ERROR_VARIABLE out ECHO_OUTPUT_VARIABLE ECHO_ERROR_VARIABLE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mono Program.exe failed (${rc})")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
