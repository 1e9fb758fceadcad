/*
** http-once PORTFILE BODY: serve BODY to the first HTTP GET on
** 127.0.0.1 (an ephemeral port, written to PORTFILE), then exit.  Exits by
** itself after 300 s without a request.  Used by linux-boot.sh for the
** guest's fetch from the host (guest 10.0.2.2 is the host's loopback
** through libslirp).
*/
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  struct sockaddr_in a;
  socklen_t al = sizeof a;
  struct pollfd p;
  char req[2048], hdr[256];
  FILE *f;
  int s, c;
  if (argc != 3) { fprintf(stderr, "usage: http-once PORTFILE BODY\n"); return 2; }
  s = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 ||
      getsockname(s, (struct sockaddr *)&a, &al) < 0) { perror("http-once"); return 1; }
  if (!(f = fopen(argv[1], "w"))) { perror(argv[1]); return 1; }
  fprintf(f, "%d\n", ntohs(a.sin_port));
  fclose(f);
  p.fd = s;
  p.events = POLLIN;
  if (poll(&p, 1, 300000) <= 0 || (c = accept(s, NULL, NULL)) < 0) return 1;
  if (read(c, req, sizeof req) <= 0) return 1;
  snprintf(hdr, sizeof hdr, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
           "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(argv[2]) + 1);
  if (write(c, hdr, strlen(hdr)) < 0 || write(c, argv[2], strlen(argv[2])) < 0 ||
      write(c, "\n", 1) < 0) return 1;
  close(c);
  close(s);
  return 0;
}
