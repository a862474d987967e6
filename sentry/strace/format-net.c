/* strace formatters of sockets: address families, socket types and
 * levels, message flags, and socket addresses (AF_UNIX, AF_INET, AF_INET6,
 * AF_NETLINK).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sentry/strace/format-flags.h"

/* ---- sockets ---- */

static const struct flag families[] = {
    N(AF_UNSPEC),    N(AF_UNIX),  N(AF_INET),	   N(AF_AX25),	  N(AF_IPX),
    N(AF_APPLETALK), N(AF_INET6), N(AF_KEY),	   N(AF_NETLINK), N(AF_PACKET),
    N(AF_ALG),	     N(AF_VSOCK), N(AF_BLUETOOTH), N(AF_CAN),	  N(AF_XDP),
};

void sfmt_sock_family(struct strbuf *b, uint64_t v)
{
	ENUM(b, v & 0xffffffff, families, "AF_");
}

void sfmt_sock_type(struct strbuf *b, uint64_t v)
{
	static const struct flag kinds[] = {N(SOCK_STREAM), N(SOCK_DGRAM),     N(SOCK_RAW),
					    N(SOCK_RDM),    N(SOCK_SEQPACKET), N(SOCK_DCCP),
					    N(SOCK_PACKET)};
	static const struct flag t[] = {N(SOCK_NONBLOCK), N(SOCK_CLOEXEC)};
	ENUM(b, v & 0xf, kinds, "SOCK_");
	uint64_t rest = v & 0xfffffff0;
	if (rest) {
		strbuf_printf(b, "|");
		FLAGS(b, rest, t, "0");
	}
}

void sfmt_sock_level(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(SOL_IP),   N(SOL_SOCKET), {6, "SOL_TCP"}, {17, "SOL_UDP"},
					N(SOL_IPV6), N(SOL_RAW),    N(SOL_NETLINK)};
	ENUM(b, v & 0xffffffff, t, "SOL_");
}

void sfmt_msg_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(MSG_OOB),	  N(MSG_PEEK),	     N(MSG_DONTROUTE),	  N(MSG_CTRUNC),   N(MSG_PROXY),
	    N(MSG_TRUNC), N(MSG_DONTWAIT),   N(MSG_EOR),	  N(MSG_WAITALL),  N(MSG_FIN),
	    N(MSG_SYN),	  N(MSG_CONFIRM),    N(MSG_RST),	  N(MSG_ERRQUEUE), N(MSG_NOSIGNAL),
	    N(MSG_MORE),  N(MSG_WAITFORONE), N(MSG_CMSG_CLOEXEC),
	};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_shutdown_how(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(SHUT_RD), N(SHUT_WR), N(SHUT_RDWR)};
	ENUM(b, v & 0xffffffff, t, "SHUT_");
}

/* A socket option's name: SO_* at SOL_SOCKET, the number at other levels. */
void sfmt_sockopt(struct strbuf *b, uint64_t level, uint64_t v)
{
	static const char *const sol_socket[] = {
	    NULL,
	    "SO_DEBUG",
	    "SO_REUSEADDR",
	    "SO_TYPE",
	    "SO_ERROR",
	    "SO_DONTROUTE",
	    "SO_BROADCAST",
	    "SO_SNDBUF",
	    "SO_RCVBUF",
	    "SO_KEEPALIVE",
	    "SO_OOBINLINE",
	    "SO_NO_CHECK",
	    "SO_PRIORITY",
	    "SO_LINGER",
	    "SO_BSDCOMPAT",
	    "SO_REUSEPORT",
	    "SO_PASSCRED",
	    "SO_PEERCRED",
	    "SO_RCVLOWAT",
	    "SO_SNDLOWAT",
	    "SO_RCVTIMEO_OLD",
	    "SO_SNDTIMEO_OLD",
	};
	if (level == SOL_SOCKET && v < ARRAY_SIZE(sol_socket) && sol_socket[v])
		strbuf_printf(b, "%s", sol_socket[v]);
	else
		sfmt_int(b, v);
}

void sfmt_sockaddr(struct strbuf *b, const void *data, size_t len)
{
	sa_family_t fam;
	if (len < sizeof(fam)) {
		strbuf_printf(b, "{}");
		return;
	}
	memcpy(&fam, data, sizeof(fam));
	strbuf_printf(b, "{sa_family=");
	sfmt_sock_family(b, fam);
	if (fam == AF_UNIX && len > sizeof(fam)) {
		const char *path = (const char *)data + sizeof(fam);
		size_t n = len - sizeof(fam);
		bool abstract = path[0] == '\0';
		if (abstract) {
			path++, n--;
		} else {
			n = strnlen(path, n);
		}
		strbuf_printf(b, ", sun_path=%s", abstract ? "@" : "");
		sfmt_str(b, path, n, 4096, false);
	} else if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;
		memcpy(&in, data, sizeof(in));
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &in.sin_addr, ip, sizeof(ip));
		strbuf_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")",
			      ntohs(in.sin_port), ip);
	} else if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;
		memcpy(&in6, data, sizeof(in6));
		char ip[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof(ip));
		strbuf_printf(b,
			      ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
			      "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u",
			      ntohs(in6.sin6_port), ntohl(in6.sin6_flowinfo), ip,
			      in6.sin6_scope_id);
	} else if (fam == AF_NETLINK && len >= 12) {
		uint32_t pid, groups;
		memcpy(&pid, (const char *)data + 4, 4);
		memcpy(&groups, (const char *)data + 8, 4);
		strbuf_printf(b, ", nl_pid=%u, nl_groups=%08x", pid, groups);
	} else if (len > sizeof(fam)) {
		strbuf_printf(b, ", sa_data=");
		sfmt_str(b, (const char *)data + sizeof(fam), len - sizeof(fam), 32, false);
	}
	strbuf_printf(b, "}");
}
