# cli.installed_tree (tests/cli/CMakeLists.txt): install the build into
# WORK_DIR/prefix, copy the consumer out of the source tree, build it with
# find_package(datasparse) and with pkg-config, run both, and compare the
# installed command's --version with the library's ds_version_string().
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${config_args})
file(GLOB_RECURSE pc_files ${prefix}/*/datasparse.pc)
file(GLOB_RECURSE cmake_configs ${prefix}/*/datasparseConfig.cmake)
if(NOT pc_files OR NOT cmake_configs OR NOT EXISTS ${prefix}/bin/datasparse)
  message(FATAL_ERROR "the install lacks datasparse.pc, datasparseConfig.cmake or bin/datasparse")
endif()
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)

# outside the source tree
file(COPY ${CONSUMER_DIR}/ DESTINATION ${WORK_DIR}/src)

# 1. find_package
run("configure the find_package consumer" ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${WORK_DIR}/build-cmake -G ${GENERATOR}
    -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_RPATH=${prefix}/lib)
run("build the find_package consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build-cmake)
file(GLOB libdirs LIST_DIRECTORIES true ${prefix}/lib*)
string(REPLACE ";" ":" libpath "${libdirs}")
run("run the find_package consumer" ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${libpath} ${WORK_DIR}/build-cmake/consumer)
set(cmake_out "${OUT}")

# 2. pkg-config
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
run("pkg-config" ${PKG_CONFIG} --cflags --libs datasparse)
string(STRIP "${OUT}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run("pkg-config libdir" ${PKG_CONFIG} --variable=libdir datasparse)
string(STRIP "${OUT}" pc_libdir)
run("build the pkg-config consumer" ${C_COMPILER} ${WORK_DIR}/src/main.c -o ${WORK_DIR}/consumer-pc ${flags} -Wl,-rpath,${pc_libdir})
run("run the pkg-config consumer" ${WORK_DIR}/consumer-pc)
set(pc_out "${OUT}")
if(NOT cmake_out STREQUAL pc_out OR NOT cmake_out MATCHES "^version ([0-9.]+) zeros 4")
  message(FATAL_ERROR "consumers disagree or are wrong: '${cmake_out}' vs '${pc_out}'")
endif()
set(version ${CMAKE_MATCH_1})

# 3. the installed command, with its installed library
run("datasparse --version" ${prefix}/bin/datasparse --version)
string(STRIP "${OUT}" cli_version)
if(NOT cli_version STREQUAL version)
  message(FATAL_ERROR "datasparse --version says '${cli_version}', ds_version_string() '${version}'")
endif()
message(STATUS "installed tree: find_package consumer ok, pkg-config consumer ok, datasparse --version ok (${version})")
