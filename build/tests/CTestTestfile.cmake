# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[unit.base.base]=] "/work/main/build/tests/unit_base_base")
set_tests_properties([=[unit.base.base]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit.federation.digest]=] "/work/main/build/tests/unit_federation_digest")
set_tests_properties([=[unit.federation.digest]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit.federation.http]=] "/work/main/build/tests/unit_federation_http")
set_tests_properties([=[unit.federation.http]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit.federation.httpsig]=] "/work/main/build/tests/unit_federation_httpsig")
set_tests_properties([=[unit.federation.httpsig]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit.federation.ssrf]=] "/work/main/build/tests/unit_federation_ssrf")
set_tests_properties([=[unit.federation.ssrf]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit.keys.keys]=] "/work/main/build/tests/unit_keys_keys")
set_tests_properties([=[unit.keys.keys]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit.server.config]=] "/work/main/build/tests/unit_server_config")
set_tests_properties([=[unit.server.config]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit.store.store]=] "/work/main/build/tests/unit_store_store")
set_tests_properties([=[unit.store.store]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[integration.cli]=] "bash" "/work/main/tests/integration/cli.sh")
set_tests_properties([=[integration.cli]=] PROPERTIES  ENVIRONMENT "HERALD_BIN=/work/main/build/server/herald;HERALD_SRC=/work/main;HERALD_TOOLS=/work/main/build/tests/tools" LABELS "integration" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;36;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[integration.discovery]=] "bash" "/work/main/tests/integration/discovery.sh")
set_tests_properties([=[integration.discovery]=] PROPERTIES  ENVIRONMENT "HERALD_BIN=/work/main/build/server/herald;HERALD_SRC=/work/main;HERALD_TOOLS=/work/main/build/tests/tools" LABELS "integration" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;36;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[interop.test_fedify]=] "bash" "/work/main/tests/interop/test_fedify.sh")
set_tests_properties([=[interop.test_fedify]=] PROPERTIES  ENVIRONMENT "HERALD_BIN=/work/main/build/server/herald;HERALD_SRC=/work/main;HERALD_TOOLS=/work/main/build/tests/tools" LABELS "interop" SKIP_RETURN_CODE "77" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;47;add_test;/work/main/tests/CMakeLists.txt;0;")
subdirs("tools")
