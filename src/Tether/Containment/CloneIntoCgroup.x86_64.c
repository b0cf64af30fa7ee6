/*
 * The spawn code CloneIntoCgroup.cs maps and runs on x86-64: clone3(CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP), then
 * in the child what posix_spawn would do for Tether (signal defaults, process group or session, stdio or terminal,
 * working directory, empty signal mask) and execve. Like glibc's posix_spawn child it runs only raw system calls on
 * its own stack: no libc, no globals, no relocations, nothing that is not async-signal-safe, and never managed code.
 *
 * CloneIntoCgroup.Code holds the bytes of .text built from this file with (gcc 12):
 *   gcc -O2 -fPIC -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
 *       -ffreestanding -fno-builtin -nostdlib -mgeneral-regs-only -mno-red-zone -c CloneIntoCgroup.x86_64.c -o spawn.o
 *   readelf -r spawn.o            # must say: There are no relocations in this file.
 *   objcopy -O binary -j .text spawn.o spawn.bin   # tether_clone_into_cgroup must be at offset 0 (nm spawn.o)
 */
struct spawn_request {
    unsigned long long clone_args[11];  /* struct clone_args, CLONE_ARGS_SIZE_VER2 (88 bytes) */
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *working_directory;      /* null: inherit */
    const char *terminal;               /* null: stdin/stdout/stderr below */
    int stdin_fd, stdout_fd, stderr_fd;
    int process_group;                  /* 0: lead a new group */
    int new_session;
    int error;                          /* out: errno of the step that failed, 0 when the exec happened */
};

static inline long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static inline long sys4(long n, long a, long b, long c, long d)
{
    long r;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return r;
}

enum { SYS_close = 3, SYS_rt_sigaction = 13, SYS_rt_sigprocmask = 14, SYS_dup2 = 33, SYS_execve = 59, SYS_chdir = 80,
       SYS_setpgid = 109, SYS_setsid = 112, SYS_exit_group = 231, SYS_openat = 257, SYS_clone3 = 435 };

static void child(struct spawn_request *r) __attribute__((noreturn, noinline, used));

long tether_clone_into_cgroup(struct spawn_request *r)
{
    unsigned long long all = ~0ULL, old = 0;
    long pid;
    sys4(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)&all, (long)&old, 8);
    r->error = 0;
    /* The child starts on its own stack (clone_args.stack) right after the syscall instruction, so it must not touch
       this frame: it calls child() at once, with the request in a callee-saved register. */
    {
        register long request __asm__("r12") = (long)r;
        __asm__ volatile(
            "syscall\n\t"
            "test %%rax, %%rax\n\t"
            "jnz 1f\n\t"
            "mov %%r12, %%rdi\n\t"
            "call child\n\t"
            "1:"
            : "=a"(pid)
            : "a"((long)SYS_clone3), "D"((long)r->clone_args), "S"(88L), "r"(request)
            : "rcx", "r11", "rdx", "memory");
    }
    sys4(SYS_rt_sigprocmask, 2, (long)&old, 0, 8);
    return pid;
}

static void fail(struct spawn_request *r, long result) __attribute__((noreturn));
static void fail(struct spawn_request *r, long result)
{
    r->error = (int)-result;
    for (;;)
        sys3(SYS_exit_group, 127, 0, 0);
}

static void child(struct spawn_request *r)
{
    /* Handlers of the host must never run here (the memory is shared until exec): all signals stay blocked, every
       disposition goes back to the default, and the mask is emptied just before exec. */
    unsigned long long action[4] = { 0, 0, 0, 0 }; /* SIG_DFL, no flags, no restorer, empty mask */
    unsigned long long empty = 0;
    long result;
    for (long sig = 1; sig <= 64; sig++)
        if (sig != 9 && sig != 19)
            sys4(SYS_rt_sigaction, sig, (long)action, 0, 8);

    result = r->new_session ? sys3(SYS_setsid, 0, 0, 0) : sys3(SYS_setpgid, 0, r->process_group, 0);
    if (result < 0)
        fail(r, result);

    if (r->terminal) {
        /* After setsid, opening the terminal without O_NOCTTY makes it the controlling terminal. */
        long fd = sys4(SYS_openat, -100 /* AT_FDCWD */, (long)r->terminal, 2 /* O_RDWR */, 0);
        if (fd < 0)
            fail(r, fd);
        if (fd != 0) {
            if ((result = sys3(SYS_dup2, fd, 0, 0)) < 0)
                fail(r, result);
            sys3(SYS_close, fd, 0, 0);
        }
        if ((result = sys3(SYS_dup2, 0, 1, 0)) < 0 || (result = sys3(SYS_dup2, 0, 2, 0)) < 0)
            fail(r, result);
    } else if ((result = sys3(SYS_dup2, r->stdin_fd, 0, 0)) < 0 || (result = sys3(SYS_dup2, r->stdout_fd, 1, 0)) < 0 ||
               (result = sys3(SYS_dup2, r->stderr_fd, 2, 0)) < 0) {
        fail(r, result);
    }

    if (r->working_directory && (result = sys3(SYS_chdir, (long)r->working_directory, 0, 0)) < 0)
        fail(r, result);

    sys4(SYS_rt_sigprocmask, 2, (long)&empty, 0, 8);
    fail(r, sys3(SYS_execve, (long)r->path, (long)r->argv, (long)r->envp));
}
