/* Socket ioctls: SIOCATMARK and the interface queries (as LTP's
 * sockioctl01). Only the loopback interface is looked at: every network
 * namespace has it; the others differ between hosts. */
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "probe.h"

static void interfaces(int s)
{
	struct ifconf ifc = {.ifc_len = 0, .ifc_buf = NULL};
	SHOW(ioctl(s, SIOCGIFCONF, &ifc));
	say("SIOCGIFCONF sizing: whole entries %d",
	    ifc.ifc_len > 0 && ifc.ifc_len % (int)sizeof(struct ifreq) == 0);
	struct ifreq reqs[64];
	ifc.ifc_len = sizeof(reqs);
	ifc.ifc_req = reqs;
	SHOW(ioctl(s, SIOCGIFCONF, &ifc));
	bool lo = false;
	for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++)
		lo |= strcmp(reqs[i].ifr_name, "lo") == 0;
	say("SIOCGIFCONF lists lo: %d", lo);
	SHOW(ioctl(s, SIOCGIFCONF, BADPTR));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	SHOW(ioctl(s, SIOCGIFFLAGS, &ifr));
	say("lo: loopback %d up %d", (ifr.ifr_flags & IFF_LOOPBACK) != 0,
	    (ifr.ifr_flags & IFF_UP) != 0);
	SHOW(ioctl(s, SIOCGIFINDEX, &ifr) == 0);
	strcpy(ifr.ifr_name, "no-such-if0");
	SHOW(ioctl(s, SIOCGIFFLAGS, &ifr));
	SHOW(ioctl(s, SIOCGIFFLAGS, BADPTR));
	SHOW(ioctl(s, SIOCSIFFLAGS, BADPTR));
}

SYSCALL_TEST(ioctl_socket)
{
	int tcp = socket(AF_INET, SOCK_STREAM, 0);
	int at = -1;
	SHOW(ioctl(tcp, SIOCATMARK, &at));
	say("at mark: %d", at);
	SHOW(ioctl(tcp, SIOCATMARK, BADPTR));
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	SHOW(ioctl(udp, SIOCATMARK, &at));
	interfaces(udp);
	int file = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(ioctl(file, SIOCATMARK, &at));
	SHOW(ioctl(file, SIOCGIFFLAGS, BADPTR));
	close(file);
	close(tcp);
	close(udp);
}
