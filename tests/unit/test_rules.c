/* test_rules.c — the rules parser: the embedded default set, exact
 * diagnostics (file:line:col, message, line, caret), all errors collected,
 * nothing loaded on error, overlaps, settings, and the port tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/classify.h"
#include "omnisniff/problems.h"
#include "omnisniff/rules.h"


static bool parse(const char *text, os_ruleset *rs, os_diags *d)
{
    memset(d, 0, sizeof *d);
    return os_rules_parse("t.rules", text, strlen(text), rs, d);
}

/* Parse, expect failure with exactly one diagnostic equal to want. */
static void expect_one(const char *text, const char *want)
{
    os_ruleset rs;
    os_diags d;
    assert_false(parse(text, &rs, &d));
    assert_int_equal(rs.n, 0);
    assert_null(rs.rule);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.msg[0], want);
    os_diags_free(&d);
}

static void test_default_rules_parse_and_hold_every_role(void **state)
{
    (void)state;
    static const char *const ids[] = {
        "directory-link", "gateway-command", "gateway-tcp-video", "gateway-udp-video",
        "gateway-udp-discovery", "gateway-web", "multicast-video", "multicast-audio",
        "multicast-test", "encoder-archiver-unicast", "archiver-playback",
        "archiver-gateway-unicast", "federation-remote-command", "federation-remote-video",
        "federation-video", "dfc-command", "failover-directory-link", "virtual-matrix-video" };
    os_ruleset rs;
    os_diags d = { 0 };
    os_rules_text def = os_rules_default();
    assert_true(os_rules_parse("default", def.text, def.len, &rs, &d));
    assert_int_equal(d.n, 0);
    assert_int_equal(rs.n, sizeof ids / sizeof ids[0]);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        int k = os_rules_find(&rs, ids[i]);
        assert_true(k >= 0);
        assert_non_null(rs.rule[k].kba);
        assert_true(strlen(rs.rule[k].kba) > 20);
    }
    assert_false(rs.set.mcast_start_set);
    assert_false(rs.set.mcast_test_set);
    assert_int_equal(rs.set.mcast_range, 0);
    os_rules_free(&rs);
}

/* Ids of the candidates for a port, space separated. */
static const char *cands(const os_ruleset *rs, uint8_t proto, uint16_t port)
{
    static char buf[512];
    unsigned n;
    const uint16_t *v = os_rules_candidates(rs, proto, port, &n);
    buf[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        strcat(buf, i ? " " : "");
        strcat(buf, rs->rule[v[i]].id);
    }
    return buf;
}

/* The built-in rules: the shipped file's name for diagnostics, its text
 * NUL-terminated at its length. */
static void test_rules_default_text(void **state)
{
    (void)state;
    os_rules_text def = os_rules_default();
    assert_string_equal(def.name, "<built-in omnicast4.rules>");
    assert_true(def.len > 1000);
    assert_int_equal(strlen(def.text), def.len);
    assert_memory_equal(def.text, "# omnicast4.rules", 17);
}

static void test_default_candidates(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d = { 0 };
    os_rules_text def = os_rules_default();
    assert_true(os_rules_parse("default", def.text, def.len, &rs, &d));
    assert_string_equal(cands(&rs, 6, 7998), "directory-link");
    assert_string_equal(cands(&rs, 17, 8000), "gateway-udp-video gateway-udp-discovery multicast-test");
    assert_string_equal(cands(&rs, 17, 8500), "gateway-udp-video multicast-test");
    assert_string_equal(cands(&rs, 6, 6000), "federation-video virtual-matrix-video");
    assert_string_equal(cands(&rs, 6, 5001),
                        "gateway-command federation-remote-command failover-directory-link");
    assert_string_equal(cands(&rs, 17, 15500), "multicast-test encoder-archiver-unicast");
    assert_string_equal(cands(&rs, 17, 28001), "multicast-test archiver-gateway-unicast");
    assert_string_equal(cands(&rs, 17, 47806), "multicast-video multicast-test");
    assert_string_equal(cands(&rs, 6, 22), "");
    assert_string_equal(cands(&rs, 1, 5001), "");
    int k = os_rules_find(&rs, "gateway-udp-discovery");
    assert_int_equal(rs.rule[k].nover, 1);
    assert_string_equal(rs.rule[rs.rule[k].over[0]].id, "gateway-udp-video");
    k = os_rules_find(&rs, "encoder-archiver-unicast");
    assert_int_equal(rs.rule[k].infer_service, OS_HR_ARCHIVER);
    assert_int_equal(rs.rule[k].infer_peer, OS_HR_ENCODER);
    assert_int_equal(rs.rule[k].min_peers, 2);
    os_rules_free(&rs);
}

static void test_range_edges(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    assert_true(parse("rule r proto=udp port=15000-16000 kba=k\n"
                      "rule s proto=tcp port=1 kba=k\nrule t proto=tcp port=65535 kba=k\n",
                      &rs, &d));
    assert_string_equal(cands(&rs, 17, 14999), "");
    assert_string_equal(cands(&rs, 17, 15000), "r");
    assert_string_equal(cands(&rs, 17, 16000), "r");
    assert_string_equal(cands(&rs, 17, 16001), "");
    assert_string_equal(cands(&rs, 6, 15000), "");
    assert_string_equal(cands(&rs, 6, 0), "");
    assert_string_equal(cands(&rs, 6, 1), "s");
    assert_string_equal(cands(&rs, 6, 65535), "t");
    os_rules_free(&rs);
}

static void test_keys_and_defaults(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    assert_true(parse("# comment\n\n  rule x proto=tcp,udp port=any service=any peer=client,gateway "
                      "port-on=either dest=multicast initiator=service bulk=from-service "
                      "infer=peer:client min-peers=3 match=peer-role shared=\"a \\\"b\\\"\" "
                      "infer-from=known infer-bytes=5000 max-mean-size=300 "
                      "kba=\"say \\\\ it\" # trailing comment\n"
                      "rule y proto=udp port=9 kba=k\r\n", &rs, &d));
    const os_rule *r = &rs.rule[0];
    assert_int_equal(r->transports, OS_T_TCP | OS_T_UDP);
    assert_int_equal(r->port_lo, 0);
    assert_int_equal(r->port_hi, 65535);
    assert_int_equal(r->service, 0);
    assert_int_equal(r->peers, OS_HR_BIT(OS_HR_CLIENT) | OS_HR_BIT(OS_HR_GATEWAY));
    assert_int_equal(r->port_on, OS_PORT_ON_EITHER);
    assert_int_equal(r->dest, OS_DEST_MULTICAST);
    assert_int_equal(r->initiator, OS_INIT_SERVICE);
    assert_int_equal(r->bulk, OS_BULK_FROM_SERVICE);
    assert_int_equal(r->infer_peer, OS_HR_CLIENT);
    assert_int_equal(r->infer_service, -1);
    assert_int_equal(r->min_peers, 3);
    assert_int_equal(r->infer_from, OS_INFER_FROM_KNOWN);
    assert_int_equal(r->infer_bytes, 5000);
    assert_int_equal(r->max_mean_size, 300);
    assert_true(rs.size_rules);
    assert_int_equal(r->needs, OS_NEED_PEER);
    assert_string_equal(r->shared, "a \"b\"");
    assert_string_equal(r->kba, "say \\ it");
    assert_int_equal(r->line, 3);
    r = &rs.rule[1];
    assert_int_equal(r->initiator, OS_INIT_PEER);
    assert_int_equal(r->bulk, OS_BULK_ANY);
    assert_int_equal(r->needs, OS_NEED_NONE);
    assert_null(r->shared);
    assert_int_equal(r->infer_from, OS_INFER_FROM_ANY);
    assert_int_equal(r->infer_bytes, 0);
    assert_int_equal(r->max_mean_size, 0);
    os_rules_free(&rs);
    /* a shared port infers only with a known role vouching */
    expect_one("rule z proto=tcp port=5001 service=gateway infer=service shared=iperf kba=k\n",
               "t.rules:1:44: error: rule 'z' infers from a port other software shares: add "
               "infer-from=known (a known role must vouch) or infer-pair=RULE (a flow the other "
               "way corroborates)\n"
               "rule z proto=tcp port=5001 service=gateway infer=service shared=iperf kba=k\n"
               "                                           ^\n");
}

/* The lexical rules of tokens.h: '#' outside quotes starts a comment
 * wherever it stands (also right after a value); inside quotes it is text. */
static void test_comments_and_quotes(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    assert_true(parse("rule a proto=tcp kba=k port=81# the port\n"
                      "rule b proto=udp port=82 kba=\"#1 # not a comment\"#\n"
                      "set persist-peers 3#peers\n", &rs, &d));
    assert_int_equal(rs.rule[0].port_lo, 81);
    assert_string_equal(rs.rule[0].kba, "k");
    assert_string_equal(rs.rule[1].kba, "#1 # not a comment");
    assert_int_equal(rs.set.persist_peers, 3);
    os_rules_free(&rs);
    expect_one("rule a proto=tcp port=1 kba=\"open\n",
               "t.rules:1:29: error: unterminated quoted value (a closing \" is missing)\n"
               "rule a proto=tcp port=1 kba=\"open\n"
               "                            ^\n");
}

/* A bad word names the key's vocabulary, aliases left out (proto=udp,tcp
 * is accepted, never listed); the unknown-key and unknown-setting
 * diagnostics list every key and setting. */
static void test_value_word_lists(void **state)
{
    (void)state;
    expect_one("rule a proto=sctp port=1 kba=k\n",
               "t.rules:1:14: error: bad value for proto: 'sctp' (tcp, udp or tcp,udp)\n"
               "rule a proto=sctp port=1 kba=k\n             ^\n");
    expect_one("rule a proto=tcp port=1 stream=maybe kba=k\n",
               "t.rules:1:32: error: bad value for stream: 'maybe' (yes or no)\n"
               "rule a proto=tcp port=1 stream=maybe kba=k\n                               ^\n");
    expect_one("rule a proto=tcp port=1 match=all kba=k\n",
               "t.rules:1:31: error: bad value for match: 'all' (port, role, service-role or "
               "peer-role)\nrule a proto=tcp port=1 match=all kba=k\n"
               "                              ^\n");
    expect_one("rule a proto=tcp port=1 infer=side kba=k\n",
               "t.rules:1:31: error: bad value for infer: 'side' (none, or service[:ROLE] "
               "and/or peer[:ROLE])\nrule a proto=tcp port=1 infer=side kba=k\n"
               "                              ^\n");
    expect_one("set stream-loss-percent 0\n",
               "t.rules:1:25: error: bad value for 'stream-loss-percent': a percentage, 1 to 100\n"
               "set stream-loss-percent 0\n                        ^\n");
}

static void test_settings(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    assert_true(parse("set multicast-start 239.10.0.1\nset multicast-range 64\n"
                      "set multicast-test ff15::1\n", &rs, &d));
    assert_true(rs.set.mcast_start_set);
    assert_int_equal(rs.set.mcast_range, 64);
    assert_true(rs.set.mcast_test_set);
    assert_int_equal(rs.set.mcast_test.ver, 6);
    os_rules_free(&rs);
}

static void test_exact_diagnostics(void **state)
{
    (void)state;
    expect_one("rule a proto=tcp port=70000 kba=k\n",
               "t.rules:1:23: error: bad value for port: '70000' (N or N-M with 1 <= N <= M <= 65535, or any)\n"
               "rule a proto=tcp port=70000 kba=k\n"
               "                      ^\n");
    expect_one("\trule a proto=tcp port=1 peer=gatway kba=k\n",
               "t.rules:1:31: error: peer: unknown host role 'gatway' (directory gateway archiver "
               "encoder client dfc failover-directory federation remote-gateway virtual-matrix, or any)\n"
               "\trule a proto=tcp port=1 peer=gatway kba=k\n"
               "\t                             ^\n");
    expect_one("rule a proto=tcp kba=k\n",
               "t.rules:1:6: error: rule 'a' needs port=\n"
               "rule a proto=tcp kba=k\n"
               "     ^\n");
    expect_one("rule a proto=tcp port=1 kba=k\nrule a proto=udp port=2 kba=k\n",
               "t.rules:2:6: error: rule 'a' defined twice (first on line 1)\n"
               "rule a proto=udp port=2 kba=k\n"
               "     ^\n");
    expect_one("rule a proto=tcp port=1 over=b kba=k\n",
               "t.rules:1:30: error: over: no rule 'b' in this file\n"
               "rule a proto=tcp port=1 over=b kba=k\n"
               "                             ^\n");
    expect_one("rule a proto=tcp port=1 over=a kba=k\n",
               "t.rules:1:30: error: over: rule 'a' cannot win over itself\n"
               "rule a proto=tcp port=1 over=a kba=k\n"
               "                             ^\n");
    expect_one("rule a proto=tcp port=1 infer=peer kba=k\n",
               "t.rules:1:31: error: infer: 'peer' needs :ROLE (peer= is not exactly one role)\n"
               "rule a proto=tcp port=1 infer=peer kba=k\n"
               "                              ^\n");
    expect_one("set multicast-range 0\n",
               "t.rules:1:21: error: bad value for 'multicast-range': a number of groups (1 to 16777216) or unset\n"
               "set multicast-range 0\n"
               "                    ^\n");
    expect_one("set multicast-test unset\nset multicast-test unset\n",
               "t.rules:2:5: error: setting 'multicast-test' given twice\n"
               "set multicast-test unset\n"
               "    ^\n");
    expect_one("rule a proto=tcp port=1 kba=\n",
               "t.rules:1:25: error: 'kba' needs a value: KEY=VALUE\n"
               "rule a proto=tcp port=1 kba=\n"
               "                        ^\n");
}

static void test_all_errors_collected(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    assert_false(parse("rule a proto=x port=1 kba=k\nrule b proto=tcp port=0 kba=k\n"
                       "rule c proto=tcp port=1 min-peers=0 kba=k\nbogus\n"
                       "rule d proto=tcp port=2 kba=k\n", &rs, &d));
    assert_int_equal(d.n, 4);
    assert_int_equal(d.errors, 4);
    assert_non_null(strstr(d.msg[0], "t.rules:1:14: error: bad value for proto"));
    assert_non_null(strstr(d.msg[1], "t.rules:2:23: error: bad value for port"));
    assert_non_null(strstr(d.msg[2], "t.rules:3:35: error: bad value for min-peers"));
    assert_non_null(strstr(d.msg[3], "t.rules:4:1: error: unknown statement 'bogus'"));
    assert_int_equal(rs.n, 0);
    os_diags_free(&d);
}

static void test_overlaps(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    expect_one("rule v proto=udp port=8000-9000 service=gateway kba=k\n"
               "rule w proto=tcp,udp port=8500 service=gateway kba=k\n",
               "t.rules:2:27: error: rule 'w' overlaps rule 'v' (line 1) on udp port 8500 for the "
               "same host roles; add over= to one of them or give them different service=/peer= roles\n"
               "rule w proto=tcp,udp port=8500 service=gateway kba=k\n"
               "                          ^\n");
    /* resolved by over=, by disjoint service roles, by disjoint peers, by dest */
    assert_true(parse("rule v proto=udp port=8000-9000 service=gateway kba=k\n"
                      "rule w proto=udp port=8000 service=gateway over=v kba=k\n"
                      "rule x proto=udp port=8100 service=archiver kba=k\n"
                      "rule y proto=udp port=9500 service=gateway peer=encoder kba=k\n"
                      "rule z proto=udp port=9500 service=gateway peer=client kba=k\n"
                      "rule m proto=udp port=8300 dest=multicast kba=k\n", &rs, &d));
    os_rules_free(&rs);
    /* a different transport does not overlap */
    assert_true(parse("rule v proto=udp port=8000 kba=k\nrule w proto=tcp port=8000 kba=k\n", &rs, &d));
    os_rules_free(&rs);
}

/* What fn writes of rs, as a new string (caller frees). */
static char *written(void (*fn)(const os_ruleset *, FILE *), const os_ruleset *rs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(rs, f);
    fclose(f);
    return buf;
}

/* parse(write(parse(text))) is parse(text): the same --check-rules table,
 * the same texts, and writing it again gives the same file. Returns the
 * first file written (caller frees). */
static char *round_trip(const char *text, size_t len)
{
    os_ruleset a, b;
    os_diags d = { 0 };
    assert_true(os_rules_parse("in.rules", text, len, &a, &d));
    char *w1 = written(os_rules_write, &a);
    print_message("%s", w1);
    assert_true(os_rules_parse("written.rules", w1, strlen(w1), &b, &d));
    assert_int_equal(d.n, 0);
    char *w2 = written(os_rules_write, &b), *t1 = written(os_rules_dump, &a),
         *t2 = written(os_rules_dump, &b);
    assert_string_equal(w1, w2);
    assert_string_equal(t1, t2);
    assert_int_equal(a.n, b.n);
    for (unsigned i = 0; i < a.n; i++) {
        assert_string_equal(a.rule[i].kba, b.rule[i].kba);
        assert_true((!a.rule[i].shared && !b.rule[i].shared) ||
                    !strcmp(a.rule[i].shared, b.rule[i].shared));
        assert_int_equal(b.rule[i].line, i + 1); /* written: one rule a line, first */
    }
    free(w2);
    free(t1);
    free(t2);
    os_rules_free(&a);
    os_rules_free(&b);
    return w1;
}

/* The words a diagnostic lists in parentheses after `after` (caller frees). */
static char *listed(const char *text, const char *after)
{
    os_ruleset rs;
    os_diags d;
    assert_false(parse(text, &rs, &d));
    const char *open = strstr(d.msg[0], after);
    assert_non_null(open);
    open = strchr(open, '(') + 1;
    char *list = strndup(open, (size_t)(strchr(open, ')') - open));
    os_diags_free(&d);
    return list;
}

/* The shipped rules survive os_rules_write and parsing again. */
static void test_write_round_trips_shipped_rules(void **state)
{
    (void)state;
    os_rules_text def = os_rules_default();
    free(round_trip(def.text, def.len));
}

/* Every key (as the unknown-key diagnostic lists them) and every setting,
 * away from its default, survives os_rules_write and parsing again. */
static void test_write_round_trips_every_key(void **state)
{
    (void)state;
    static const char text[] =
        "rule a proto=udp,tcp port=any service=gateway,client peer=client port-on=either "
        "dest=multicast initiator=service bulk=from-service infer=service:gateway,peer:client "
        "min-peers=3 match=peer-role over=b,c shared=\"a \\\"b\\\" \\\\ c\" "
        "kba=\"say \\\\ it # not a comment\" one-peer=yes infer-from=known infer-bytes=5000 "
        "max-mean-size=300 stream=yes infer-pair=b # a comment\n"
        "rule b proto=udp port=9-10 service=archiver infer=service kba=k\n"
        "rule c proto=tcp port=9 initiator=any bulk=to-service match=role kba=k\n"
        "set multicast-start 239.1.2.3\nset multicast-range 64\nset multicast-test ff15::1\n"
        "set bulk-min-bytes 0\nset syn-verdict-seconds 7\nset persist-peers 9\n"
        "set persist-seconds 99\nset stream-gap-seconds 3\nset stream-stop-seconds 8\n"
        "set stream-loss-percent 5\n";
    char *w = round_trip(text, strlen(text));
    char *keys = listed("rule a nosuch=1\n", "unknown key");
    char *sets = listed("set nosuch 1\n", "unknown setting");
    char word[64];
    for (char *k = strtok(keys, " "); k; k = strtok(NULL, " ")) {
        snprintf(word, sizeof word, " %s=", k);
        print_message("key %s\n", k);
        assert_non_null(strstr(w, word));
    }
    for (char *k = strtok(sets, ", "); k; k = strtok(NULL, ", ")) {
        snprintf(word, sizeof word, "set %s ", k);
        print_message("setting %s\n", k);
        assert_non_null(strstr(w, word));
    }
    assert_non_null(strstr(w, "set multicast-start 239.1.2.3\n"));
    assert_non_null(strstr(w, "set stream-loss-percent 5\n"));
    free(keys);
    free(sets);
    free(w);
}

static void test_hrole_names(void **state)
{
    (void)state;
    os_hrole r;
    assert_true(os_hrole_parse("failover-directory", 18, &r));
    assert_int_equal(r, OS_HR_FAILOVER_DIRECTORY);
    assert_false(os_hrole_parse("failover", 8, &r));
    assert_string_equal(os_hrole_name(OS_HR_REMOTE_GATEWAY), "remote-gateway");
    assert_string_equal(os_hrole_label(OS_HR_ARCHIVER), "Archiver");
    assert_null(os_hrole_name(OS_HR_COUNT));
}

static void test_dump_is_deterministic(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_true(parse("rule a proto=udp port=15000-16000 service=archiver peer=encoder "
                      "bulk=to-service infer=service,peer min-peers=2 kba=k\n", &rs, &d));
    os_rules_dump(&rs, f);
    fclose(f);
    assert_non_null(strstr(buf, "a                          udp     15000-16000 service any            "
                                "archiver <- encoder initiator=peer bulk=to-service "
                                "infer=service:archiver infer=peer:encoder min-peers=2\n"));
    assert_non_null(strstr(buf, "set multicast-test unset\n"));
    free(buf);
    os_rules_free(&rs);
}

/* bulk-min-bytes: the shipped file sets it, a file may change it, and a
 * file that does not mention it gets the documented default. */
static void test_bulk_min_bytes(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    os_rules_text def = os_rules_default();
    assert_true(os_rules_parse("default", def.text, def.len, &rs, &d));
    assert_int_equal(rs.set.bulk_min, 4096);
    os_rules_free(&rs);
    assert_true(parse("set bulk-min-bytes 100\n", &rs, &d));
    assert_int_equal(rs.set.bulk_min, 100);
    os_rules_free(&rs);
    assert_true(parse("rule a proto=udp port=9 kba=k\n", &rs, &d));
    assert_int_equal(rs.set.bulk_min, OS_BULK_MIN_DEFAULT);
    os_rules_free(&rs);
    expect_one("set bulk-min-bytes lots\n",
               "t.rules:1:20: error: bad value for 'bulk-min-bytes': a number of bytes\n"
               "set bulk-min-bytes lots\n"
               "                   ^\n");
}

/* The verdict and persistence thresholds: shipped values, a file's own,
 * the defaults without one, ranges enforced, each given once. */
static void test_verdict_thresholds(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    os_rules_text def = os_rules_default();
    assert_true(os_rules_parse("default", def.text, def.len, &rs, &d));
    assert_int_equal(rs.set.syn_verdict_s, 3);
    assert_int_equal(rs.set.persist_peers, 2);
    assert_int_equal(rs.set.persist_s, 10);
    os_rules_free(&rs);
    assert_true(parse("set syn-verdict-seconds 5\nset persist-peers 4\nset persist-seconds 60\n", &rs, &d));
    assert_int_equal(rs.set.syn_verdict_s, 5);
    assert_int_equal(rs.set.persist_peers, 4);
    assert_int_equal(rs.set.persist_s, 60);
    os_rules_free(&rs);
    assert_true(parse("rule a proto=udp port=9 kba=k\n", &rs, &d));
    assert_int_equal(rs.set.syn_verdict_s, OS_SYN_VERDICT_DEFAULT);
    assert_int_equal(rs.set.persist_peers, OS_PERSIST_PEERS_DEFAULT);
    assert_int_equal(rs.set.persist_s, OS_PERSIST_SECONDS_DEFAULT);
    os_rules_free(&rs);
    expect_one("set syn-verdict-seconds 0\n",
               "t.rules:1:25: error: bad value for 'syn-verdict-seconds': seconds, 1 to 300\n"
               "set syn-verdict-seconds 0\n"
               "                        ^\n");
    expect_one("set persist-peers 2\nset persist-peers 3\n",
               "t.rules:2:5: error: setting 'persist-peers' given twice\n"
               "set persist-peers 3\n"
               "    ^\n");
}

/* The table bounds: shipped values, a file's own, the tables' own bounds
 * (OS_HOSTS_MAX, OS_PROBLEMS_MAX) without one, ranges enforced. */
static void test_table_bounds(void **state)
{
    (void)state;
    os_ruleset rs;
    os_diags d;
    os_rules_text def = os_rules_default();
    assert_true(os_rules_parse("default", def.text, def.len, &rs, &d));
    assert_int_equal(rs.set.max_hosts, 131072);
    assert_int_equal(rs.set.max_problems, 4096);
    os_rules_free(&rs);
    assert_true(parse("set max-hosts 16\nset max-problems 1\n", &rs, &d));
    assert_int_equal(rs.set.max_hosts, 16);
    assert_int_equal(rs.set.max_problems, 1);
    os_rules_free(&rs);
    assert_true(parse("rule a proto=udp port=9 kba=k\n", &rs, &d));
    assert_int_equal(rs.set.max_hosts, OS_HOSTS_MAX);
    assert_int_equal(rs.set.max_problems, OS_PROBLEMS_MAX);
    os_rules_free(&rs);
    expect_one("set max-hosts 15\n",
               "t.rules:1:15: error: bad value for 'max-hosts': hosts, 16 to 16777216\n"
               "set max-hosts 15\n"
               "              ^\n");
    expect_one("set max-problems 0\n",
               "t.rules:1:18: error: bad value for 'max-problems': problems, 1 to 1048576\n"
               "set max-problems 0\n"
               "                 ^\n");
}

/* Role sets as words: the first role, and ids or labels joined. */
static void test_hrole_first_and_join(void **state)
{
    (void)state;
    char b[OS_HROLES_STRLEN];
    os_hrole_set all = (os_hrole_set)((1u << OS_HR_COUNT) - 1);
    assert_int_equal(os_hrole_first(0), -1);
    assert_int_equal(os_hrole_first(OS_HR_BIT(OS_HR_ARCHIVER) | OS_HR_BIT(OS_HR_DFC)), OS_HR_ARCHIVER);
    assert_string_equal(os_hrole_join(0, ",", false, b, sizeof b), "");
    assert_string_equal(os_hrole_join(OS_HR_BIT(OS_HR_GATEWAY) | OS_HR_BIT(OS_HR_CLIENT), ", ",
                                      false, b, sizeof b), "gateway, client");
    assert_string_equal(os_hrole_join(OS_HR_BIT(OS_HR_DIRECTORY) | OS_HR_BIT(OS_HR_FEDERATION),
                                      " or ", true, b, sizeof b), "Directory or federation server");
    os_hrole_join(all, " or ", true, b, sizeof b); /* every role fits */
    assert_non_null(strstr(b, " or Virtual Matrix"));
    assert_string_equal(os_hrole_join(all, ",", false, b, 12), "directory,g"); /* cut to len */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_rules_parse_and_hold_every_role),
        cmocka_unit_test(test_rules_default_text),
        cmocka_unit_test(test_default_candidates),
        cmocka_unit_test(test_range_edges),
        cmocka_unit_test(test_hrole_first_and_join),
        cmocka_unit_test(test_keys_and_defaults),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_table_bounds),
        cmocka_unit_test(test_value_word_lists),
        cmocka_unit_test(test_comments_and_quotes),
        cmocka_unit_test(test_exact_diagnostics),
        cmocka_unit_test(test_all_errors_collected),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_hrole_names),
        cmocka_unit_test(test_dump_is_deterministic),
        cmocka_unit_test(test_write_round_trips_shipped_rules),
        cmocka_unit_test(test_write_round_trips_every_key),
        cmocka_unit_test(test_bulk_min_bytes),
        cmocka_unit_test(test_verdict_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
