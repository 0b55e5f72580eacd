# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build-keys
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("base")
subdirs("store")
subdirs("keys")
subdirs("federation")
subdirs("agency")
subdirs("server")
subdirs("tests")
