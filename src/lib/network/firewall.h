/* What the CNI plugins do not do for berth's networks, done with the
 * tools they use themselves (iptables, ip): Docker's isolation between
 * bridge networks (its DOCKER-ISOLATION-STAGE-1/2 chains, here
 * BERTH-ISOLATION-STAGE-1/2: a packet from one network's bridge to another
 * berth bridge is dropped), and a removed network's bridge deleted. */
#pragma once

#include "common/error.h"

/* Makes sure the chains exist, FORWARD jumps to stage 1 first (ahead of
 * the firewall plugin's CNI-FORWARD, which it inserts at the top), and
 * bridge's two rules are there.  bridge is berth's ("berth0", "br-…"). */
int berth_firewall_isolate(const char *bridge, berth_error **err);
/* Removes bridge's rules and the bridge itself (absent ones are fine). */
int berth_firewall_forget(const char *bridge, berth_error **err);
/* Runs argv (a tool of iptables/iproute2, looked up in PATH) with its
 * output discarded; its exit status, -1 when it could not run.  The last
 * line of its stderr into *why when it fails and why is not NULL. */
int berth_firewall_run(char *const argv[], char **why);

/* What the bridge plugin's DEL leaves when the container's namespace is
 * already gone (it finds the addresses to unmasquerade on the interface):
 * its NAT rule and chain for each address, removed as it would have
 * (the chain "CNI-" + sha512(network + container id)[:24 hex], the rule's
 * comment 'name: "NETWORK" id: "CID"').  ips: "172.17.0.2/16", … */
void berth_firewall_masq_teardown(const char *network, const char *cid, char *const *ips);
