"""Every analysis setting, in one place: change a value here, or for one run with
``python3 tasks.py reproduce NN --set NAME=VALUE`` (a name of that notebook's ``parameters``
cell). The comment above each setting is its meaning in ``docs/parameters.md``.
"""

# --------------------------------------------------------------------------- all notebooks
#: Master seed of every random process (bootstraps, permutations, topic models, samples).
SEED = 20191210
#: The two speakers whose agendas and vocabularies are compared (the first is "A").
PRINCIPALS = ("pompeo", "lavrov")
#: The speakers whose words are measured and charted (coverage, vocabulary, topics, salience).
SPEAKERS_MEASURED = ("pompeo", "lavrov", "putin")
#: Bootstrap resamples for every interval.
N_BOOT = 2000

# --------------------------------------------------------------------------- 01 clean and attribute
#: Sentences whose raw span is re-read as a check of the attribution.
N_CHECKED = 25
#: A quoted sentence of an article with fewer words than this is a fragment ("Period.").
MIN_QUOTE_WORDS = 2
#: Cosine similarity that makes a sentence an alignment anchor (if in order within its turn).
ANCHOR_THRESHOLD = 0.30
#: A turn renders a canonical passage when it has at least this many sentences ...
PASSAGE_MIN_SENTENCES = 3
#: ... and at least this share of them reach ANCHOR_THRESHOLD; only then do the window rules apply.
PASSAGE_MIN_SHARE = 0.5
#: A repeat on its own (out of order, or outside a passage): cosine needed ...
STANDALONE_THRESHOLD = 0.40
#: ... and content words shared with its best match.
STANDALONE_MIN_SHARED = 3
#: Near-verbatim: a repeat whatever its length.
VERBATIM_THRESHOLD = 0.90
#: Anchors whose targets are at most this many reference sentences apart enclose one passage.
CONTEXT_GAP = 8
#: Sentences before the first / after the last anchor of a passage: similarity needed within
#: CONTEXT_GAP reference sentences of that anchor.
EDGE_THRESHOLD = 0.15
#: A paraphrased quote (a news article rewording an interpreter, and only sentences no other
#: rule aligned) repeats its best match at this cosine ...
QUOTE_THRESHOLD = 0.15
#: ... sharing at least this many content words, one of them in no other reference sentence ...
QUOTE_MIN_SHARED = 2
#: ... and only in sources of this rank (news articles).
QUOTE_SOURCE_RANK = 4

# --------------------------------------------------------------------------- 02 compare vocabulary
#: Terms per document in the TF-IDF tables.
TOP_N = 10
#: Relabellings of turns in the keyness test; all are enumerated when fewer.
KEYNESS_N_PERM = 10_000
#: Top terms each way compared in the robustness checks.
TOP_K = 20
#: Terms with fewer tokens (both men together) are not tested: they cannot reach a small p.
MIN_TOKENS_TESTED = 5
#: False discovery rate of the keyness test (Benjamini-Hochberg).
FDR = 0.05
#: Frequency given to words missing from wordfreq's English lists (they stop near 1e-8).
BACKGROUND_FLOOR = 1e-8

# --------------------------------------------------------------------------- 03 model topics
#: Candidate numbers of topics.
K_RANGE = range(3, 11)
#: Refits per model and k.
N_SEEDS = 10
#: Mean matched cosine a k needs to be chosen.
MIN_STABILITY = 0.8
#: Sentences per topic-model document (consecutive, within one turn).
WINDOW = 3
#: A topic is stable when its matched cosine reaches this ...
STABLE_COSINE = 0.8
#: ... in at least this share of the other refits.
STABLE_SHARE = 0.9
#: Top terms per topic (exclusivity, label matching).
N_TOP = 10
#: A hand-made topic label carries over to a fitted topic sharing this many top terms.
CARRY_MIN_SHARED = 5
#: A topic whose NPMI against the reference is at or below this carries no issue label.
MIN_NPMI = 0.02
#: Fewer documents about an issue than this give no trustworthy AUC interval: no label.
MIN_POSITIVE = 5

# --------------------------------------------------------------------------- 04 measure issue salience
#: How many sentences back an issue label may be inherited (through a chain of inheritances).
MAX_INHERIT = 3
#: Sentences sampled onto the coding sheet of a source without hand codes (all if fewer).
SHEET_SIZE = 40
#: Preceding sentences of the turn shown beside each sentence on a coding sheet.
SHEET_CONTEXT = 4
#: A single pattern that codes more than this share of the hand-coded sentences is too broad
#: (``\bthe\b`` would code most of them): a warning.
PATTERN_SHARE_LIMIT = 0.15
#: An issue whose lexicon share of the hand-coded sentences exceeds its hand-coded share by
#: more than this share, and is more than SHARE_RATIO_LIMIT times it, has jumped beyond what
#: the hand coding supports: a warning.
SHARE_EXCESS_LIMIT = 0.10
#: ... times its hand-coded share (see SHARE_EXCESS_LIMIT).
SHARE_RATIO_LIMIT = 2.0
#: A cell gets the hand measure when at least this share of its sentences is hand-coded.
HAND_MIN_COVERAGE = 0.9
#: Resampling unit: None = whole turns (the headline); a number = blocks of that many
#: consecutive sentences within a turn (1 = every sentence alone; robustness only).
BLOCK = None
#: Relabellings of a contrast's permutation test (all of them when there are fewer).
N_PERM = 4000
#: The resampling units the robustness table also tries (sentences per block; None: whole
#: turns, the headline unit).
UNITS = {"turn": None, "block of 5": 5, "sentence": 1}
#: Confidence level of every interval.
LEVEL = 0.95
#: Pseudo-counts pulling each issue's coding rates towards the pooled rates of all issues.
PRIOR_STRENGTH = 10.0
#: Smallest sensitivity - false-positive rate the correction accepts (else uncorrectable).
MIN_YOUDEN = 0.2
#: A correction of a cell of fewer sentences than this is weak: its interval also covers
#: the raw lexicon share ...
WEAK_CORRECTION_SENTENCES = 30
#: ... as it is for an issue whose rates rest on fewer hand-coded mentions than this.
WEAK_CORRECTION_POSITIVES = 10
#: A cell with fewer turns is reported but called too small, and kept out of "largest issues".
MIN_TURNS = 2
#: From this many resamples on, a cell without coding rates skips the Jeffreys draws of its
#: zero counts.
SKIP_ZERO_DRAWS_FROM = 2000
#: Power at which the detectable difference of a contrast is stated.
POWER = 0.8
#: Turn-level intra-class correlation assumed when simulating the detectable difference.
ICC = 0.3
#: Simulated draws per difference tried.
N_SIM = 100
#: Relabellings per simulated draw (a random subset of the test's own when it has more).
N_PERM_POWER = 500
#: Family-wise error rate of the findings.
ALPHA = 0.05
#: Correction over the issues of one contrast and measure (statsmodels' multipletests).
MULTIPLICITY = "holm"
