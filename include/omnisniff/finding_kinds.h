/* finding_kinds.h — the one table of finding kinds (included by findings.h).
 *
 * One row per kind, everything the program says about it:
 *     X(ENUM, "id", default severity, persists, " (severity): explanation")
 * ENUM makes OS_FK_ENUM; "id" is the stable name (--explain KIND, JSON
 * "kind", reports); the default severity is the one it is raised with;
 * `persists` is true for the connection kinds whose problem becomes an error
 * when the service failed on every attempt (persist-peers, persist-seconds,
 * problems.h); the explanation follows the id in --explain and the Markdown
 * report, and starts by naming the severity in parentheses.
 * Adding a kind is a row here (at the end: ids and numbers are stable) and
 * its check in findings.c; no other code lists kinds. The documentation
 * names each kind too (docs/omnisniff.1, which golden.man checks against
 * --explain; README.md and docs/omnicast-roles.md). */
#ifndef OMNISNIFF_FINDING_KINDS_H
#define OMNISNIFF_FINDING_KINDS_H

#define OS_FINDING_KINDS(X)                                                                      \
    X(REVERSED_DIRECTION, "reversed-direction", OS_SEV_ERROR, false,                             \
      " (error): traffic flows against the documented direction.\n"                              \
      "TCP: the connection was opened by the wrong side, e.g. by the service side from\n"        \
      "its service port. UDP: most bytes flow against the role's bulk direction, e.g.\n"         \
      "client -> Gateway into 8000-9000, Gateway -> Archiver on 28000-29000.\n"                  \
      "KBA-00170: \"TCP command port (default 5001) ... listen for incoming client\n"            \
      "connections\"; \"Use port from (default 8000 to 9000) ... the Gateway can use to\n"       \
      "send video using UDP\"; \"Unicast UDP streams are sent from the Archiver to the\n"        \
      "Gateway on ports 28000 to 29000.\"\n"                                                     \
      "Check: NAT or port forwarding that swaps the direction; a host configured with\n"         \
      "the wrong role; the expected initiator / bulk direction in the rules file.\n")            \
    X(WRONG_TRANSPORT, "wrong-transport", OS_SEV_ERROR, false,                                   \
      " (error): an Omnicast host's role port is used with the other\n"                          \
      "transport (UDP to the Archiver's playback port, a TCP SYN to 28001).\n"                   \
      "KBA-00170 gives each port with its protocol (firewall table: Number, Protocol,\n"         \
      "Direction). Check the other end's configuration, or software that shares the port.\n")    \
    X(UNEXPECTED_PEER, "unexpected-peer", OS_SEV_ERROR, false,                                   \
      " (error): a host talks on a role port it should not: a second\n"                          \
      "Gateway on the Directory port, a non-Gateway receiving the Archiver's stream,\n"          \
      "the failover Directory reaching the Directory other than through Gateway 5001.\n"         \
      "KBA-00170: \"the primary Gateway (the only Gateway that connects directly to the\n"       \
      "Directory)\"; \"Failover Directory connects to the primary Directory through the\n"       \
      "Gateway using only the TCP port 5001.\"\n"                                                \
      "Check which Gateway is primary, and the hosts file's roles.\n")                           \
    X(UNANSWERED_CONNECTION, "unanswered-connection", OS_SEV_WARNING, true,                      \
      " (warning; error when persistent): SYNs to an Omnicast\n"                                 \
      "service port got no SYN-ACK within syn-verdict-seconds (3 s), or were retransmitted.\n"   \
      "All attempts on one service fold into one problem; when the service never\n"              \
      "completed a handshake and persist-peers (2) peers failed or the failures span\n"          \
      "persist-seconds (10 s), the problem is an error: a dropped port, not bad luck.\n"         \
      "KBA-00170: \"To ensure your Omnicast system works properly, open all the listed\n"        \
      "ports that are relevant to the services installed on your system.\"\n"                    \
      "Check: a firewall between the capture point and the server dropping the port\n"           \
      "(capture on both sides to find it), or the service is down.\n")                           \
    X(CONNECTION_REFUSED, "connection-refused", OS_SEV_WARNING, true,                            \
      " (warning; error when persistent): the server answered the SYN\n"                         \
      "with RST: nothing listens on that port. Persistent as for unanswered-connection.\n"       \
      "KBA-00170: \"When the default port 5001 isn't used, the client will need to specify\n"    \
      "the port number after the Gateway name. For example: gateway_name:4812\".\n"              \
      "Check: the service is running; it is configured on this port (non-default port?).\n")     \
    X(ICMP_UNREACHABLE, "icmp-unreachable", OS_SEV_WARNING, false,                               \
      " (error if administratively prohibited, else warning): an ICMP or\n"                      \
      "ICMPv6 destination-unreachable quotes an Omnicast flow. The finding's flow fields\n"      \
      "are the quoted flow's; the host that sent the error is the reporter.\n"                   \
      "Administratively prohibited (ICMP type 3 code 9, 10, 13; ICMPv6 type 1 code 1)\n"         \
      "means a firewall rejects the traffic. KBA-00170: \"If the Gateway is running behind\n"    \
      "a firewall, make sure that this port is unlocked\".\n"                                    \
      "Check the firewall at (or behind) the reporter; for port unreachable, the service.\n")    \
    X(MULTICAST_PORT_MISMATCH, "multicast-port-mismatch", OS_SEV_WARNING, false,                 \
      " (warning): an encoder or Archiver streams to a multicast\n"                              \
      "group on a port other than the site's multicast video/audio port.\n"                      \
      "KBA-00170: \"In multicast, all sources (audio and video) are streamed using the same\n"   \
      "port but with a different multicast IP address for each\".\n"                             \
      "Check the encoder's multicast settings against the Directory's.\n")                       \
    X(MULTICAST_GROUP_CONFLICT, "multicast-group-conflict", OS_SEV_ERROR, false,                 \
      " (error): two different sources send to the same group and\n"                             \
      "port: two systems on one network with the same multicast settings.\n"                     \
      "KBA-00170: \"The Directory assigns the same port to each multicast encoder, but\n"        \
      "increments the multicast address starting with 'Start multicast address'\";\n"            \
      "\"Directory Audio / Video ports have to be changed manually when installing more\n"       \
      "than one server on the same network to avoid any conflicts.\"\n"                          \
      "Check: give each system its own start multicast address and ports.\n")                    \
    X(MULTICAST_OUT_OF_RANGE, "multicast-out-of-range", OS_SEV_WARNING, false,                   \
      " (warning): a group outside the configured range (rules\n"                                \
      "file: set multicast-start / multicast-range; only checked when both are set).\n"          \
      "KBA-00170: \"The first encoder will use 'Start multicast address' and the next one\n"     \
      "will use 'Start multicast address' + 1, so on and so forth.\"\n"                          \
      "Check: another system on the network, or an encoder configured by hand.\n")               \
    X(ROLE_CONFLICT, "role-conflict", OS_SEV_WARNING, false,                                     \
      " (warning): the hosts file declares roles that traffic contradicts,\n"                    \
      "or traffic alone shows a host as both a client and a server (Directory, Gateway,\n"       \
      "Archiver, DFC); a role is never silently overridden or chosen.\n"                         \
      "Check the hosts file, or why the host behaves as another role.\n")                        \
    X(UNDOCUMENTED_PORT, "undocumented-port", OS_SEV_INFO, false,                                \
      " (info): traffic between two Omnicast hosts on a port no rule\n"                          \
      "covers: a non-default configuration, or not Omnicast.\n"                                  \
      "KBA-00170: \"It is recommended to choose different TCP and UDP ports for ... a\n"         \
      "network where multiple independent directory systems are running\".\n"                    \
      "Check: describe the site's ports in a rules file (-R) if it is Omnicast.\n")              \
    X(STREAM_STOPPED, "stream-stopped", OS_SEV_ERROR, false,                                     \
      " (error): a video or audio stream (encoder -> Archiver, multicast,\n"                     \
      "Archiver -> Gateway, Gateway -> client) went silent for stream-stop-seconds (5 s;\n"      \
      "at least 4 times its usual interval) while other streams to its receiver, or\n"           \
      "from its sender, went on: a camera that stopped recording.\n"                             \
      "KBA-00170: \"Video is streamed from the encoder to the Archiver using either a\n"         \
      "unicast or a multicast UDP video stream\".\n"                                             \
      "Check: the camera or encoder (power, reboot, its stream settings), then the path\n"       \
      "from it (switch port, link, a firewall rule). Streams that stop together behind\n"        \
      "one switch are one problem. Live, the verdict comes after the delay; offline,\n"          \
      "when the flow ends, with hindsight (a stream that resumed is a gap).\n")                  \
    X(STREAM_GAP, "stream-gap", OS_SEV_WARNING, false,                                           \
      " (warning): a stream paused longer than stream-gap-seconds (2 s) and\n"                   \
      "recovered: a hole in the recording or a frozen live view.\n"                              \
      "Check: camera or encoder restarts, a path that drops now and then, the\n"                 \
      "encoder's bandwidth or frame-rate settings.\n")                                           \
    X(STREAM_LOSS, "stream-loss", OS_SEV_WARNING, false,                                         \
      " (warning): the RTP sequence numbers of a stream show more than\n"                        \
      "stream-loss-percent (1%) of its packets lost (RFC 3550), with the packets out\n"          \
      "of order and the interarrival jitter beside it: artefacts in live and recorded\n"         \
      "video. Only streams whose first packets are RTP (version 2, one SSRC, sequence\n"         \
      "numbers advancing by one) are judged.\n"                                                  \
      "Check: the network path (duplex mismatch, interface errors, full queues, a\n"             \
      "wireless link) and the encoder's bitrate against the link.\n")

#endif
