server/CMakeFiles/herald.dir/main.c.o: /work/main/server/main.c \
 /usr/include/stdc-predef.h /work/main/server/cli.h
