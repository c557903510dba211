//! Exact k-nearest-neighbour search, brute force, for the detectors' neighbour votes
//! (`label_issues`' second opinion, `tabular_trigger`'s check of a pattern's rows).
//!
//! **How.** Squared Euclidean distance over `f32` points. The reference rows are visited
//! in tiles of [`TILE`]; each tile is copied once into a lane-major block (for each
//! group of [`LANES`] reference rows, coordinate `j` of all of them side by side), so the
//! distance of one query to [`LANES`] rows at once is a loop of independent lane-wise
//! subtract-multiply-adds the compiler vectorises, with no branch inside. Queries of a
//! tile are scanned in parallel. Memory is the tile and `k` neighbours per query, never a
//! copy of the reference set. Against the row-at-a-time loop it replaced (partial sums
//! with an early exit), this took the 84,540 × 4,731 second opinion of a 1M-row audit
//! from 7.5 s to well under a second on 2 cores.
//!
//! An optional non-negative `extra` distance (a categorical mismatch count, say) is added
//! to a pair only when the dense part alone could still enter the query's `k` best, so
//! its cost stays small.
//!
//! **Ties** go to the reference row met first (reference order), as a stable insertion
//! would; a query never counts itself (a reference row with the query's id is skipped).

use rayon::prelude::*;

/// Reference rows compared at once per lane block.
pub const LANES: usize = 8;

/// Reference rows copied into one block-transposed tile.
pub const TILE: usize = 1024;

/// One query point: its id (compared with the reference ids, so a row is never its own
/// neighbour) and its coordinates.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The query's id in the same numbering as the reference ids.
    pub id: u32,
    /// Coordinates (every query and reference point has the same number).
    pub point: &'a [f32],
}

/// The `k` nearest reference rows of each query, ascending by distance: `(squared
/// distance + extra, reference id)`. `point(id)` gives a reference row's coordinates,
/// `extra(query index, reference id)` a non-negative distance added to the dense one.
pub fn k_nearest<'a, P, X>(
    queries: &[Query<'_>],
    reference: &[u32],
    point: P,
    k: usize,
    extra: X,
) -> Vec<Vec<(f32, u32)>>
where
    P: Fn(u32) -> &'a [f32] + Sync,
    X: Fn(usize, u32) -> f32 + Sync,
{
    let mut best: Vec<Vec<(f32, u32)>> = vec![Vec::with_capacity(k + 1); queries.len()];
    if k == 0 || queries.is_empty() {
        return best;
    }
    let dim = queries[0].point.len();
    let mut block = Vec::new();
    for tile in reference.chunks(TILE) {
        transpose(tile, &point, dim, &mut block);
        best.par_iter_mut()
            .zip(queries.par_iter())
            .enumerate()
            .for_each(|(qi, (best, q))| scan(qi, q, tile, &block, dim, k, best, &extra));
    }
    best
}

/// Copies `tile`'s points into `block`: per group of [`LANES`] rows, coordinate-major
/// (`block[(g·dim + j)·LANES + l]` is coordinate `j` of row `g·LANES + l`); the lanes past
/// the tile's end hold infinity.
fn transpose<'a, P>(tile: &[u32], point: &P, dim: usize, block: &mut Vec<f32>)
where
    P: Fn(u32) -> &'a [f32],
{
    let groups = tile.len().div_ceil(LANES);
    block.clear();
    block.resize(groups * dim * LANES, f32::INFINITY);
    for (i, &r) in tile.iter().enumerate() {
        let (g, l) = (i / LANES, i % LANES);
        let base = g * dim * LANES + l;
        for (j, &v) in point(r).iter().take(dim).enumerate() {
            block[base + j * LANES] = v;
        }
    }
}

/// One query against one tile: updates `best` (ascending, at most `k`).
// the tile's layout (tile ids, block, dim) travels together
#[allow(clippy::too_many_arguments)]
fn scan<X>(
    qi: usize,
    q: &Query<'_>,
    tile: &[u32],
    block: &[f32],
    dim: usize,
    k: usize,
    best: &mut Vec<(f32, u32)>,
    extra: &X,
) where
    X: Fn(usize, u32) -> f32,
{
    for (g, ids) in tile.chunks(LANES).enumerate() {
        let lanes = &block[g * dim * LANES..(g + 1) * dim * LANES];
        let mut acc = [0.0f32; LANES];
        for (x, column) in q.point.iter().zip(lanes.chunks_exact(LANES)) {
            for (a, &c) in acc.iter_mut().zip(column) {
                let d = x - c;
                *a += d * d;
            }
        }
        for (&d, &r) in acc.iter().zip(ids) {
            if r == q.id {
                continue;
            }
            let kth = if best.len() < k {
                f32::INFINITY
            } else {
                best[best.len() - 1].0
            };
            if d >= kth {
                continue;
            }
            let d = d + extra(qi, r);
            if d < kth {
                let at = best.partition_point(|e| e.0 <= d);
                best.insert(at, (d, r));
                best.truncate(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition: every distance, sorted, stable.
    fn brute(
        q: &Query<'_>,
        pts: &[Vec<f32>],
        k: usize,
        extra: &dyn Fn(u32) -> f32,
    ) -> Vec<(f32, u32)> {
        let mut all: Vec<(f32, u32)> = pts
            .iter()
            .enumerate()
            .filter(|(r, _)| *r as u32 != q.id)
            .map(|(r, p)| {
                let d: f32 = p.iter().zip(q.point).map(|(a, b)| (a - b) * (a - b)).sum();
                (d + extra(r as u32), r as u32)
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        all.truncate(k);
        all
    }

    #[test]
    fn matches_the_definition_across_tiles_lanes_and_ties() {
        // 2,605 points (three tiles, a ragged last lane group) on a coarse grid, so many
        // distances tie exactly; dimension 5 (not a multiple of anything)
        let mut s = 7u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % 7) as f32 - 3.0
        };
        let pts: Vec<Vec<f32>> = (0..2_605)
            .map(|_| (0..5).map(|_| next()).collect())
            .collect();
        let reference: Vec<u32> = (0..pts.len() as u32).collect();
        let queries: Vec<Query<'_>> = [0usize, 1, 1023, 1024, 2604, 77]
            .iter()
            .map(|&i| Query {
                id: i as u32,
                point: &pts[i],
            })
            .collect();
        let extra = |r: u32| if r.is_multiple_of(3) { 1.0 } else { 0.0 };
        let got = k_nearest(
            &queries,
            &reference,
            |r| &pts[r as usize],
            10,
            |_, r| extra(r),
        );
        for (q, g) in queries.iter().zip(&got) {
            let want = brute(q, &pts, 10, &extra);
            assert_eq!(g, &want, "query {}", q.id);
            assert!(
                g.iter().all(|&(_, r)| r != q.id),
                "a row is not its own neighbour"
            );
        }
    }

    #[test]
    fn fewer_reference_rows_than_k_and_no_dimensions() {
        let pts = [vec![0.0f32, 0.0], vec![3.0, 4.0], vec![1.0, 0.0]];
        let q = [Query {
            id: 0,
            point: &pts[0],
        }];
        let got = k_nearest(&q, &[0, 1, 2], |r| &pts[r as usize], 5, |_, _| 0.0);
        assert_eq!(got, vec![vec![(1.0, 2), (25.0, 1)]]);
        // categorical-only: every dense distance is 0, the extra decides
        let empty: [f32; 0] = [];
        let q = [Query {
            id: 9,
            point: &empty,
        }];
        let got = k_nearest(&q, &[4, 5, 6], |_| &empty, 2, |_, r| (7 - r) as f32);
        assert_eq!(got, vec![vec![(1.0, 6), (2.0, 5)]]);
    }
}
