/* I/O faults for chiso's tests, by LD_PRELOAD: while the file named by CHISO_FAULT_TRIGGER
 * exists, writes and syncs of files whose path contains CHISO_FAULT_PATH fail with EIO,
 * as a failing disk would. Everything else passes through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int faulty(int fd) {
    const char *trigger = getenv("CHISO_FAULT_TRIGGER");
    const char *marker = getenv("CHISO_FAULT_PATH");
    if (!trigger || !marker || access(trigger, F_OK) != 0) return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return strstr(path, marker) != NULL;
}

#define PASS(name, ret, params, args, fd)                      \
    ret name params {                                          \
        static ret (*real) params;                             \
        if (!real) real = (ret (*) params)dlsym(RTLD_NEXT, #name); \
        if (faulty(fd)) { errno = EIO; return -1; }            \
        return real args;                                      \
    }

PASS(write, ssize_t, (int fd, const void *b, size_t n), (fd, b, n), fd)
PASS(pwrite, ssize_t, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o), fd)
PASS(pwrite64, ssize_t, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o), fd)
PASS(fsync, int, (int fd), (fd), fd)
PASS(fdatasync, int, (int fd), (fd), fd)
