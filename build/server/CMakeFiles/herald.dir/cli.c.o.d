server/CMakeFiles/herald.dir/cli.c.o: /work/main/server/cli.c \
 /usr/include/stdc-predef.h /work/main/server/cli.h
