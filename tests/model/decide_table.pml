/*
 * decide_table.pml: run the cases of cases.txt through the decide()
 * inline of election.pml (the one the model's instances use) and print
 * what decide_table.c prints for them, line for line.
 *
 * cases.pml is generated from cases.txt by cases2pml.awk (check.sh does
 * it); then: spin decide_table.pml
 */
#define DECIDE_ONLY
#define CMAX	16

/* The snapshot of one case; every instance is in it. */
int	c_n, c_self, c_ep, c_now, c_patient, c_ranks;
bit	c_live[CMAX];
int	c_launch[CMAX];
int	c_idkey[CMAX];
int	c_term[CMAX];
int	c_tep[CMAX];
int	c_exp[CMAX];	/* the claim's lease expiry, 0 none */
bit	c_fin[CMAX];	/* a failed command's claim ("=status", 1 to 255) */

/* Scratch variables of decide(). */
int	d_j, d_max, d_lead, d_rank, d_hold, d_out, d_claim, d_lterm;
int	d_retract;

#define D_N		c_n
#define D_PRESENT(j)	1
#define D_LIVE(j)	c_live[j]
#define D_LAUNCH(j)	c_launch[j]
#define D_IDKEY(j)	c_idkey[j]
#define D_TERM(j)	c_term[j]
#define D_TEP(j)	c_tep[j]
/* ELECTION_DRIFT_SECONDS = 1; self's own claim lapses that much early. */
#define D_LAPSED(j)	(c_fin[j] || (c_exp[j] != 0 && (j == c_self -> \
			 c_now > c_exp[j] - 1 : c_now > c_exp[j] + 1)))

#include "election.pml"

/* election_outcome_name() */
inline print_outcome()
{
	if
	:: d_out == O_STALE -> printf("stale")
	:: d_out == O_LEADER -> printf("leader")
	:: d_out == O_FOLLOWER -> printf("follower")
	:: d_out == O_CLAIM -> printf("claim")
	:: d_out == O_WAIT -> printf("wait")
	fi
}

inline print_numbers()
{
	printf(" term=%d claim=%d retract=%d\n", d_lterm, d_claim, d_retract)
}

#include "cases.pml"

init {
	run_cases()
}
