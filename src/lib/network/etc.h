/* A container's /etc/hosts and /etc/resolv.conf as Docker 20.10 writes
 * them (libnetwork's etchosts and resolvconf). */
#pragma once

/* The localhost and IPv6 lines, then "IP\tHOSTNAME" for the container's
 * own address (ip NULL: none, as for host and none), then the peers'
 * lines as given ("IP\tNAME ALIAS…", NULL-terminated, may be NULL). */
char *berth_etc_hosts(const char *ip, const char *hostname, char *const *peers);

/* The file a container with a network of its own starts from: the host's
 * /etc/resolv.conf, or systemd-resolved's upstream file when the host's
 * only nameserver is its stub 127.0.0.53 (as Docker picks). */
const char *berth_etc_resolv_conf_source(void);

/* Docker's FilterResolvDNS of the host's resolv.conf text (trusted as far
 * as the host's file is: any text is handled): nameserver lines naming
 * localhost (127.x.x.x, ::1) and IPv6 nameservers (berth's networks are
 * IPv4) removed; when no nameserver is left, Docker's "\nnameserver
 * 8.8.8.8\nnameserver 8.8.4.4\n" appended. */
char *berth_etc_resolv_filter(const char *host_text);
