/* tests/user/threads.c - pthreads over clone/futex: create and join with
** return values, a mutex-protected counter, condition-variable hand-off in
** a fixed order, thread-local storage, tids, a barrier, a semaphore,
** tgkill reaching the thread it names (not whichever thread runs first),
** and exit() from a thread ending the process (argv[1] = "exit"). */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N 8
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t bar;
static sem_t sem;
static long counter;
static int turn, tid_differs[N], tls_ok[N];
static __thread long tls_val = 5;

static void *worker(void *arg)
{
  long id = (long)arg;
  tls_val = id * 100;
  tid_differs[id] = syscall(SYS_gettid) != getpid();
  for (int i = 0; i < 5000; i++) {
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
  }
  pthread_barrier_wait(&bar);
  pthread_mutex_lock(&mu);
  while (turn != id) pthread_cond_wait(&cv, &mu);
  printf("turn %ld\n", id);
  turn++;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  sem_post(&sem);
  tls_ok[id] = tls_val == id * 100;
  return (void *)(id * id);
}

static void *square(void *arg)
{
  long x = (long)arg;
  tls_val = x;
  return (void *)(x * x + tls_val);
}

static void *exiter(void *arg)
{
  (void)arg;
  fflush(stdout);
  exit(9);
}

/* tgkill: the handler must run in the target thread */
static volatile pid_t got_tid, waiter_tid;
static volatile int got_sig;

static void on_usr1(int sig)
{
  got_tid = (pid_t)syscall(SYS_gettid);
  got_sig = sig;
}

static void *waiter(void *arg)
{
  (void)arg;
  waiter_tid = (pid_t)syscall(SYS_gettid);
  while (!got_sig) usleep(1000);      /* (EINTR when the signal comes) */
  return NULL;
}

static void tgkill_target(void)
{
  pthread_t t;
  volatile unsigned long spin = 0;
  signal(SIGUSR1, on_usr1);
  pthread_create(&t, NULL, waiter, NULL);
  while (!waiter_tid) usleep(1000);
  usleep(20000);                       /* (the waiter is in usleep()) */
  syscall(SYS_tgkill, getpid(), waiter_tid, SIGUSR1);
  /* run guest code for a while: this thread must not take the signal */
  for (unsigned long i = 0; i < 5000000 && !got_sig; i++) spin += i;
  for (int i = 0; i < 5000 && !got_sig; i++) usleep(1000);
  pthread_join(t, NULL);
  printf("tgkill to a thread: handled %d, in that thread %d\n", got_sig,
         got_tid == waiter_tid);
}

int main(int argc, char **argv)
{
  pthread_t th[N];
  long sum = 0;
  int ok = 1;

  if (argc > 1 && strcmp(argv[1], "exit") == 0) {
    pthread_t t;
    printf("exit from a thread\n");
    pthread_create(&t, NULL, exiter, NULL);
    for (;;) pause();
  }
  pthread_barrier_init(&bar, NULL, N);
  sem_init(&sem, 0, 0);
  for (long i = 0; i < N; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) {
      printf("pthread_create failed\n");
      return 1;
    }
  for (int i = 0; i < N; i++) sem_wait(&sem);
  for (int i = 0; i < N; i++) {
    void *r;
    pthread_join(th[i], &r);
    sum += (long)r;
    ok &= tid_differs[i] && tls_ok[i];
  }
  printf("counter %ld sum %ld tids-and-tls %d main-tls %ld\n", counter, sum,
         ok, tls_val);
  /* many short-lived threads, a few at a time (vCPUs are reused) */
  sum = 0;
  for (int round = 0; round < 300; round++) {
    pthread_t t2[3];
    for (long i = 0; i < 3; i++) pthread_create(&t2[i], NULL, square, (void *)i);
    for (int i = 0; i < 3; i++) {
      void *r;
      pthread_join(t2[i], &r);
      sum += (long)r;
    }
  }
  printf("churn sum %ld\n", sum);
  tgkill_target();
  return 0;
}
