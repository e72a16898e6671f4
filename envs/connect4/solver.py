"""Depth-limited negamax alpha-beta for connect four on bitboards (Python ints).

Bit layout (the standard one): column `c` owns bits `7c .. 7c+5`, bottom cell first; bit `7c+6` is an
always-empty sentinel that stops lines from wrapping between columns. A position is `(current, mask)`:
`current` holds the stones of the side to move, `mask` all stones; the opponent's stones are
`current ^ mask`. Scores are from the side to move's view: a win made by the move at ply `p` below the
root scores `WIN_SCORE - p` (sooner wins higher, later losses less bad), anything else is heuristic.
"""

from dataclasses import dataclass, field

ROWS = 6
COLUMNS = 7
COLUMN_STRIDE = ROWS + 1
BOTTOM_ROW = sum(1 << (c * COLUMN_STRIDE) for c in range(COLUMNS))
BOARD_CELLS = BOTTOM_ROW * ((1 << ROWS) - 1)
CENTRE_COLUMN = COLUMNS // 2
CENTRE_COLUMN_CELLS = ((1 << ROWS) - 1) << (CENTRE_COLUMN * COLUMN_STRIDE)
CENTRE_FIRST_COLUMNS = (3, 2, 4, 1, 5, 0, 6)
COLUMN_CELLS = tuple(((1 << ROWS) - 1) << (c * COLUMN_STRIDE) for c in range(COLUMNS))
LINE_DIRECTIONS = (1, COLUMN_STRIDE, COLUMN_STRIDE - 1, COLUMN_STRIDE + 1)  # vertical, horizontal, 2 diags

WIN_SCORE = 1_000_000
WIN_THRESHOLD = WIN_SCORE - 1_000  # |score| above this is a proven win or loss
INFINITY = 10 * WIN_SCORE
OPEN_THREE_WEIGHT = 5
OPEN_TWO_WEIGHT = 2
CENTRE_STONE_WEIGHT = 3
EXACT, LOWER_BOUND, UPPER_BOUND = 0, 1, 2
MAX_TABLE_ENTRIES = 2_000_000


def playable_cells(mask: int) -> int:
    """The lowest empty cell of every column that is not full."""
    return (mask + BOTTOM_ROW) & BOARD_CELLS


def winning_cells(stones: int, mask: int) -> int:
    """Empty cells (playable now or not) where one more stone would complete four in a row for `stones`."""
    cells = (stones << 1) & (stones << 2) & (stones << 3)
    for shift in LINE_DIRECTIONS[1:]:
        pair = (stones << shift) & (stones << 2 * shift)
        cells |= pair & (stones << 3 * shift)
        cells |= pair & (stones >> shift)
        pair = (stones >> shift) & (stones >> 2 * shift)
        cells |= pair & (stones << shift)
        cells |= pair & (stones >> 3 * shift)
    return cells & (BOARD_CELLS ^ mask)


def open_line_counts(stones: int, blockers: int) -> tuple[int, int]:
    """(open threes, open twos): windows of four cells holding 3 or 2 of `stones` and none of `blockers`."""
    free = BOARD_CELLS & ~blockers
    threes = twos = 0
    for shift in LINE_DIRECTIONS:
        window_starts = free & (free >> shift) & (free >> 2 * shift) & (free >> 3 * shift)
        a, b, c, d = stones, stones >> shift, stones >> 2 * shift, stones >> 3 * shift
        low_ab, low_cd = a ^ b, c ^ d
        ones_bit = low_ab ^ low_cd
        twos_bit = (a & b) ^ (c & d) ^ (low_ab & low_cd)  # a count of 4 never occurs here
        threes += (window_starts & ones_bit & twos_bit).bit_count()
        twos += (window_starts & twos_bit & ~ones_bit).bit_count()
    return threes, twos


def heuristic_score(current: int, mask: int) -> int:
    """Open threes and twos and centre-column stones, side to move minus opponent."""
    opponent = current ^ mask
    own_threes, own_twos = open_line_counts(current, opponent)
    their_threes, their_twos = open_line_counts(opponent, current)
    centre = (current & CENTRE_COLUMN_CELLS).bit_count() - (opponent & CENTRE_COLUMN_CELLS).bit_count()
    return (
        OPEN_THREE_WEIGHT * (own_threes - their_threes)
        + OPEN_TWO_WEIGHT * (own_twos - their_twos)
        + CENTRE_STONE_WEIGHT * centre
    )


def column_of(move: int) -> int:
    """The column of a single-bit move."""
    return (move.bit_length() - 1) // COLUMN_STRIDE


def immediate_winning_columns(current: int, mask: int) -> list[int]:
    """Columns where the side to move completes four in a row right now."""
    wins = winning_cells(current, mask) & playable_cells(mask)
    return [c for c in range(COLUMNS) if wins & COLUMN_CELLS[c]]


def _to_table(score: int, ply: int) -> int:
    """Store proven scores relative to the node, so they stay right when reached at another ply."""
    if score > WIN_THRESHOLD:
        return score + ply
    return score - ply if score < -WIN_THRESHOLD else score


def _from_table(score: int, ply: int) -> int:
    if score > WIN_THRESHOLD:
        return score - ply
    return score + ply if score < -WIN_THRESHOLD else score


@dataclass
class AlphaBetaSearch:
    """Negamax with a transposition table that persists between searches (cleared when it gets big)."""

    table: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    nodes: int = 0

    def root_scores(self, current: int, mask: int, depth: int) -> dict[int, int]:
        """Iterative deepening to `depth` plies; returns the score of every legal column.

        Columns tied with the best score get exact scores; worse ones may be upper bounds.
        """
        if len(self.table) > MAX_TABLE_ENTRIES:
            self.table.clear()
        playable = playable_cells(mask)
        columns = [c for c in CENTRE_FIRST_COLUMNS if playable & COLUMN_CELLS[c]]
        wins = immediate_winning_columns(current, mask)
        if wins:
            return {c: WIN_SCORE - 1 if c in wins else -INFINITY for c in columns}
        scores: dict[int, int] = {}
        for pass_depth in range(1, depth + 1):
            ordered = sorted(columns, key=lambda c: -scores.get(c, 0))
            scores = self._score_root_columns(current, mask, ordered, pass_depth)
            best = max(scores.values())
            if best > WIN_THRESHOLD or best < -WIN_THRESHOLD:
                break
        return scores

    def _score_root_columns(self, current: int, mask: int, columns: list[int], depth: int) -> dict[int, int]:
        """Search every column with a window one below the best so far, so ties come back exact."""
        playable = playable_cells(mask)
        opponent = current ^ mask
        best = -INFINITY
        scores = {}
        for column in columns:
            move = playable & COLUMN_CELLS[column]
            alpha = best - 1 if best > -INFINITY else -INFINITY
            score = -self.negamax(opponent, mask | move, depth - 1, -INFINITY, -alpha, 1)
            scores[column] = score
            best = max(best, score)
        return scores

    def negamax(self, current: int, mask: int, depth: int, alpha: int, beta: int, ply: int) -> int:
        """Score of the position for the side to move; fail-soft within (alpha, beta)."""
        self.nodes += 1
        playable = (mask + BOTTOM_ROW) & BOARD_CELLS
        if not playable:
            return 0
        if winning_cells(current, mask) & playable:
            return WIN_SCORE - ply - 1
        opponent = current ^ mask
        their_wins = winning_cells(opponent, mask)
        forced = playable & their_wins
        if forced:
            if forced & (forced - 1):
                return -(WIN_SCORE - ply - 2)
            playable = forced
        playable &= ~(their_wins >> 1)
        if not playable:
            return -(WIN_SCORE - ply - 2)
        beta = min(beta, WIN_SCORE - ply - 3)
        if alpha >= beta:
            return beta
        if depth <= 0:
            return heuristic_score(current, mask)

        key = current + mask
        entry = self.table.get(key)
        table_move = 0
        if entry is not None:
            table_move = entry[3]
            cutoff, alpha, beta = _probe(entry, depth, alpha, beta, ply)
            if cutoff is not None:
                return cutoff

        original_alpha = alpha
        best, best_move = -INFINITY, 0
        for move in _ordered_moves(playable, table_move):
            score = -self.negamax(opponent, mask | move, depth - 1, -beta, -alpha, ply + 1)
            if score > best:
                best, best_move = score, move
                if score > alpha:
                    alpha = score
                    if alpha >= beta:
                        break
        flag = UPPER_BOUND if best <= original_alpha else LOWER_BOUND if best >= beta else EXACT
        self.table[key] = (depth, flag, _to_table(best, ply), best_move)
        return best


def _probe(
    entry: tuple[int, int, int, int], depth: int, alpha: int, beta: int, ply: int
) -> tuple[int | None, int, int]:
    """(score if the stored result settles this node, else None; the narrowed alpha and beta)."""
    entry_depth, flag, stored, _ = entry
    if entry_depth < depth:
        return None, alpha, beta
    score = _from_table(stored, ply)
    if flag == EXACT:
        return score, alpha, beta
    if flag == LOWER_BOUND:
        alpha = max(alpha, score)
    else:
        beta = min(beta, score)
    return (score if alpha >= beta else None), alpha, beta


def _ordered_moves(playable: int, first_move: int) -> list[int]:
    """Single-bit moves: the transposition table's best move first, then centre-first."""
    moves = [first_move] if first_move & playable else []
    for column in CENTRE_FIRST_COLUMNS:
        move = playable & COLUMN_CELLS[column]
        if move and move != first_move:
            moves.append(move)
    return moves
