/*
 * report: --status and --export output.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "report.h"

void
report_time(int64_t t, char *out, size_t outlen)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t < 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outlen, "-");
}

/* Members in display order: holders by rank, then the rest by launch, id. */
static int
member_cmp(const void *pa, const void *pb)
{
	const struct election_member *a = *(const struct election_member *const *)pa;
	const struct election_member *b = *(const struct election_member *const *)pb;
	int64_t	 la, lb;

	if ((a->rank == 0) != (b->rank == 0))
		return a->rank == 0 ? 1 : -1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	la = a->inst->launch_time < 0 ? INT64_MAX : a->inst->launch_time;
	lb = b->inst->launch_time < 0 ? INT64_MAX : b->inst->launch_time;
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a->inst->id, b->inst->id);
}

static const struct election_member **
sorted_members(const struct election *el)
{
	const struct election_member	**v;
	size_t				  i;

	if ((v = calloc(el->nmembers + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < el->nmembers; i++)
		v[i] = &el->members[i];
	if (el->nmembers > 1)
		qsort(v, el->nmembers, sizeof(*v), member_cmp);
	return v;
}

static const char *
verdict_name(const struct leader_result *r)
{
	switch (r->verdict) {
	case VERDICT_LEADER:	return "leader";
	case VERDICT_FOLLOWER:	return "follower";
	case VERDICT_NONE:	break;
	}
	return "undecided";
}

static int	json_field(struct buf *, const char *, const char *, int);

/* The s3 store's record, as --status shows it. */
static int
record_text(const struct leader_result *r, struct buf *out)
{
	const struct record	*rec = &r->record;
	char			 lease[32], renewed[32], written[32], ex[16];

	if (r->record_url[0] == '\0')
		return 0;
	if (!r->have_record)
		return buf_printf(out, "record:  %s (none yet)\n",
		    r->record_url);
	report_time(rec->lease_expiry, lease, sizeof(lease));
	report_time(rec->renewed, renewed, sizeof(renewed));
	report_time(rec->written, written, sizeof(written));
	if (rec->exit_status == RECORD_EXIT_NONE)
		snprintf(ex, sizeof(ex), "-");
	else
		snprintf(ex, sizeof(ex), "%d", rec->exit_status);
	return buf_printf(out, "record:  %s\n"
	    "         holder %s, term %" PRId64 ", epoch %s, state %s, "
	    "exit status %s\n"
	    "         lease until %s, renewed %s, written %s by %s\n",
	    r->record_url, rec->holder, rec->term, rec->epoch[0] ?
	    rec->epoch : "none", record_state_name(rec->state), ex, lease,
	    renewed, written, rec->writer);
}

/* The record as a JSON object, or null. */
static int
record_json(const struct leader_result *r, struct buf *out)
{
	const struct record	*rec = &r->record;
	char			 lease[32], renewed[32], written[32];

	if (buf_puts(out, ",\"record\":") == -1)
		return -1;
	if (!r->have_record)
		return buf_puts(out, "null");
	if (buf_puts(out, "{") == -1)
		return -1;
	report_time(rec->lease_expiry, lease, sizeof(lease));
	report_time(rec->renewed, renewed, sizeof(renewed));
	report_time(rec->written, written, sizeof(written));
	if (json_field(out, "holder", rec->holder, 0) == -1 ||
	    buf_printf(out, ",\"term\":%" PRId64, rec->term) == -1 ||
	    json_field(out, "epoch", rec->epoch[0] ? rec->epoch : NULL,
	    1) == -1 ||
	    json_field(out, "state", record_state_name(rec->state), 1) == -1)
		return -1;
	if (rec->exit_status == RECORD_EXIT_NONE) {
		if (buf_puts(out, ",\"exit_status\":null") == -1)
			return -1;
	} else if (buf_printf(out, ",\"exit_status\":%d",
	    rec->exit_status) == -1)
		return -1;
	return json_field(out, "lease_expiry", lease, 1) == -1 ||
	    json_field(out, "renewed", renewed, 1) == -1 ||
	    json_field(out, "written", written, 1) == -1 ||
	    json_field(out, "writer", rec->writer, 1) == -1 ||
	    buf_puts(out, "}") == -1 ? -1 : 0;
}

int
report_escape_text(struct buf *out, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 esc[5];

	for (; *s != '\0'; s++) {
		unsigned char	 c = (unsigned char)*s;

		if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
			esc[0] = '\\';
			esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' :
			    c == '\t' ? 't' : '\\';
			esc[2] = '\0';
		} else if (c < 0x20 || c == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			esc[4] = '\0';
		} else {
			esc[0] = (char)c;
			esc[1] = '\0';
		}
		if (buf_puts(out, esc) == -1)
			return -1;
	}
	return 0;
}

/* s escaped into tmp (reset first); tmp->data, or NULL. */
static const char *
escaped(struct buf *tmp, const char *s)
{
	buf_reset(tmp);
	if (report_escape_text(tmp, s) == -1 || buf_append(tmp, "", 1) == -1)
		return NULL;
	return tmp->data;
}

int
report_status_text(const struct options *o, const struct leader_result *r,
    struct buf *out)
{
	const struct election_member	**v = NULL;
	const struct election		 *el = &r->election;
	struct buf			  key, val;
	const char			 *k, *t;
	char				  when[32], rank[32];
	size_t				  i;
	int				  rc = -1;

	/* Tag keys and values are anyone's: no control character goes out. */
	buf_init(&key, 4 * TAG_KEY_SIZE);
	buf_init(&val, 4 * TAG_VALUE_SIZE);
	if ((k = escaped(&key, r->scope_key)) == NULL ||
	    (t = escaped(&val, r->scope_value)) == NULL ||
	    buf_printf(out, "group:   %s=%s (%s)\n", k, t,
	    r->scope_source) == -1 ||
	    buf_printf(out, "name:    %s (tag %s)\n", o->name, o->tag_key) == -1 ||
	    buf_printf(out, "epoch:   %s (%s)\n", r->epoch[0] ? r->epoch :
	    "none", r->epoch_source) == -1 ||
	    buf_printf(out, "self:    %s (%s)\n", r->self_id,
	    verdict_name(r)) == -1)
		goto out;
	if (r->leader_id[0] != '\0') {
		if (buf_printf(out, "leader:  %s (term %" PRId64 ")\n",
		    r->leader_id, r->term) == -1)
			goto out;
	} else if (buf_puts(out, "leader:  none\n") == -1)
		goto out;
	if (buf_printf(out, "store:   %s\n", r->store_desc[0] ? r->store_desc :
	    "tags") == -1 || record_text(r, out) == -1)
		goto out;
	if (buf_printf(out, "reason:  %s\n\n", r->reason) == -1 ||
	    (r->record_url[0] != '\0' ? buf_printf(out, "%-21s %-14s %-21s "
	    "%s\n", "INSTANCE", "STATE", "LAUNCHED", "RECORD") :
	    buf_printf(out, "%-21s %-14s %-21s %-32s %s\n", "INSTANCE",
	    "STATE", "LAUNCHED", "TAG", "RANK")) == -1)
		goto out;
	if (r->decided && (v = sorted_members(el)) == NULL)
		goto out;
	for (i = 0; r->decided && i < el->nmembers; i++) {
		const struct election_member *m = v[i];

		report_time(m->inst->launch_time, when, sizeof(when));
		if (m->rank == 0)
			snprintf(rank, sizeof(rank), "-");
		else
			snprintf(rank, sizeof(rank), "%zu%s", m->rank,
			    m->rank == 1 ? " leader" : "");
		if (r->record_url[0] != '\0') {
			if (buf_printf(out, "%-21s %-14s %-21s %s\n",
			    m->inst->id, instance_state_name(m->inst->state),
			    when, r->have_record && strcmp(r->record.holder,
			    m->inst->id) == 0 ? "holder" : "-") == -1)
				goto out;
			continue;
		}
		if ((t = escaped(&val, m->tag ? m->tag : "-")) == NULL ||
		    buf_printf(out, "%-21s %-14s %-21s %-32s %s%s\n",
		    m->inst->id, instance_state_name(m->inst->state), when,
		    t, rank,
		    m->tag && !m->tag_valid ? " (invalid tag)" :
		    m->tag && !m->holder ? " (not counted)" : "") == -1)
			goto out;
	}
	rc = 0;
out:
	buf_free(&key);
	buf_free(&val);
	free(v);
	return rc;
}

static int
json_field(struct buf *out, const char *key, const char *value, int comma)
{
	if ((comma && buf_puts(out, ",") == -1) ||
	    json_write_string(out, key) == -1 || buf_puts(out, ":") == -1)
		return -1;
	if (value == NULL)
		return buf_puts(out, "null");
	return json_write_string(out, value);
}

int
report_status_json(const struct options *o, const struct leader_result *r,
    struct buf *out)
{
	const struct election_member	**v = NULL;
	const struct election		 *el = &r->election;
	char				  when[32];
	size_t				  i;
	int				  rc = -1;

	if (buf_puts(out, "{") == -1 ||
	    json_field(out, "name", o->name, 0) == -1 ||
	    json_field(out, "tag_key", o->tag_key, 1) == -1 ||
	    json_field(out, "epoch", r->epoch[0] ? r->epoch : NULL, 1) == -1 ||
	    json_field(out, "epoch_source", r->epoch_source, 1) == -1 ||
	    buf_puts(out, ",\"scope\":{") == -1 ||
	    json_field(out, "key", r->scope_key, 0) == -1 ||
	    json_field(out, "value", r->scope_value, 1) == -1 ||
	    json_field(out, "source", r->scope_source, 1) == -1 ||
	    buf_puts(out, "}") == -1 ||
	    json_field(out, "self", r->self_id, 1) == -1 ||
	    json_field(out, "verdict", verdict_name(r), 1) == -1 ||
	    json_field(out, "leader", r->leader_id[0] ? r->leader_id : NULL,
	    1) == -1)
		goto out;
	if (r->leader_id[0] != '\0') {
		if (buf_printf(out, ",\"term\":%" PRId64, r->term) == -1)
			goto out;
	} else if (buf_puts(out, ",\"term\":null") == -1)
		goto out;
	if (json_field(out, "reason", r->reason, 1) == -1 ||
	    json_field(out, "store", r->store_desc[0] ? r->store_desc : "tags",
	    1) == -1 ||
	    (r->record_url[0] != '\0' && (json_field(out, "record_url",
	    r->record_url, 1) == -1 || record_json(r, out) == -1)) ||
	    buf_puts(out, ",\"instances\":[") == -1)
		goto out;
	if (r->decided && (v = sorted_members(el)) == NULL)
		goto out;
	for (i = 0; r->decided && i < el->nmembers; i++) {
		const struct election_member *m = v[i];

		report_time(m->inst->launch_time, when, sizeof(when));
		if (buf_puts(out, i ? ",{" : "{") == -1 ||
		    json_field(out, "id", m->inst->id, 0) == -1 ||
		    json_field(out, "state", instance_state_name(m->inst->state),
		    1) == -1 ||
		    json_field(out, "launch_time", m->inst->launch_time < 0 ?
		    NULL : when, 1) == -1 ||
		    json_field(out, "tag", m->tag, 1) == -1 ||
		    buf_printf(out, ",\"live\":%s,\"holder\":%s",
		    m->live ? "true" : "false", (r->record_url[0] ?
		    r->have_record && strcmp(r->record.holder,
		    m->inst->id) == 0 : m->holder) ? "true" : "false") == -1)
			goto out;
		if (m->rank > 0) {
			if (buf_printf(out, ",\"rank\":%zu}", m->rank) == -1)
				goto out;
		} else if (buf_puts(out, ",\"rank\":null}") == -1)
			goto out;
	}
	if (buf_puts(out, "]}\n") == -1)
		goto out;
	rc = 0;
out:
	free(v);
	return rc;
}

int
report_export(const struct options *o, const struct leader_result *r,
    int is_leader, struct buf *out)
{
	/* Every value is validated to [A-Za-z0-9._-]: quoting is enough. */
	if (buf_printf(out, "export EB_IS_COMMAND_LEADER='%s'\n",
	    is_leader ? "true" : "false") == -1 ||
	    buf_printf(out, "export LEADER_EXEC_LEADER_ID='%s'\n",
	    r->leader_id) == -1 ||
	    buf_printf(out, "export LEADER_EXEC_TERM='%" PRId64 "'\n",
	    r->term) == -1 ||
	    buf_printf(out, "export LEADER_EXEC_NAME='%s'\n", o->name) == -1)
		return -1;
	if (r->epoch[0] != '\0' &&
	    buf_printf(out, "export LEADER_EXEC_EPOCH='%s'\n", r->epoch) == -1)
		return -1;
	return 0;
}
