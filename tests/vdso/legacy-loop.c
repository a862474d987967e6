/* Legacy call sites in a loop: glibc 2.5-style `movq $addr,%rax; callq *%rax`,
 * the movabs form, and an unrecognised site (the address in another register). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
static long vtime_movq(void) { long r; __asm__ volatile("movq $0xffffffffff600400, %%rax\n\tcallq *%%rax" : "=a"(r) : "D"(0) : "rcx","rdx","rsi","r8","r9","r10","r11","memory"); return r; }
static long vtime_movabs(void) { long r; __asm__ volatile("movabsq $0xffffffffff600400, %%rax\n\tcallq *%%rax" : "=a"(r) : "D"(0) : "rcx","rdx","rsi","r8","r9","r10","r11","memory"); return r; }
static long vtime_other(void) { long r; __asm__ volatile("movq $0xffffffffff600400, %%rdx\n\tcallq *%%rdx" : "=a"(r) : "D"(0) : "rcx","rdx","rsi","r8","r9","r10","r11","memory"); return r; }
static long vgtod(struct timeval *tv) { long r; __asm__ volatile("movq $0xffffffffff600000, %%rax\n\tcallq *%%rax" : "=a"(r) : "D"(tv), "S"(0) : "rcx","rdx","r8","r9","r10","r11","memory"); return r; }
int main(int c, char **v) {
  long n = c > 1 ? atol(v[1]) : 1000; long bad = 0;
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) { long t = vtime_movq(); if (labs(t - time(NULL)) > 1) bad++; }
  clock_gettime(CLOCK_MONOTONIC, &b);
  for (long i = 0; i < 100; i++) { if (labs(vtime_movabs() - time(NULL)) > 1) bad++; if (labs(vtime_other() - time(NULL)) > 1) bad++;
    struct timeval tv; if (vgtod(&tv) != 0 || labs(tv.tv_sec - time(NULL)) > 1) bad++; }
  unsigned char *p = (unsigned char *)vtime_other; int untouched = 0;
  for (int i = 0; i < 40; i++) if (p[i] == 0x48 && p[i+1] == 0xc7 && p[i+2] == 0xc2) untouched = 1;
  printf("bad=%ld other-site-untouched=%d\n", bad, untouched);
  fprintf(stderr, "%.1f ns per time() call\n", ((b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec))/n);
  return bad != 0;
}
