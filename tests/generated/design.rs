//! Which combinations of family values become pages: a pairwise covering array (every value of
//! every family meets every value of every other family on at least one page; for a few
//! families that interact most, every triple too), built greedily with a fixed-seed generator so
//! the corpus is the same on every run and every machine.

use std::collections::BTreeSet;

/// SplitMix64: a few lines, and its output never changes with a crate upgrade.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn range(&mut self, low: u32, high: u32) -> u32 {
        low + self.below((high - low + 1) as usize) as u32
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True once in `n` draws on average.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// A set of families whose value combinations must all appear on some page.
struct Interaction {
    families: Vec<usize>,
    /// One flag per combination (mixed-radix over the families' sizes): still uncovered.
    uncovered: Vec<bool>,
    left: usize,
}

impl Interaction {
    fn new(families: Vec<usize>, sizes: &[usize]) -> Interaction {
        let n = families.iter().map(|&f| sizes[f]).product();
        Interaction { families, uncovered: vec![true; n], left: n }
    }

    /// The combination `row` gives these families, if it sets them all.
    fn index(&self, row: &[usize], sizes: &[usize]) -> Option<usize> {
        let mut i = 0;
        for &f in &self.families {
            if row[f] == usize::MAX {
                return None;
            }
            i = i * sizes[f] + row[f];
        }
        Some(i)
    }

    fn values(&self, mut index: usize, sizes: &[usize]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for &f in self.families.iter().rev() {
            out.push((f, index % sizes[f]));
            index /= sizes[f];
        }
        out
    }
}

/// Rows of value indices, one per page, such that every pair of values of two families, and
/// every combination of the families in each of `triples`, appears in some row. AETG-style:
/// each row starts from an uncovered combination and fills the other families with the value
/// that covers most new ones; the best of a few candidates is kept.
pub fn covering(sizes: &[usize], triples: &[[usize; 3]], seed: u64) -> Vec<Vec<usize>> {
    const CANDIDATES: usize = 16;
    let mut interactions = Vec::new();
    for f in 0..sizes.len() {
        for g in f + 1..sizes.len() {
            interactions.push(Interaction::new(vec![f, g], sizes));
        }
    }
    for t in triples {
        interactions.push(Interaction::new(t.to_vec(), sizes));
    }
    let touching: Vec<Vec<usize>> = (0..sizes.len())
        .map(|k| (0..interactions.len()).filter(|&i| interactions[i].families.contains(&k)).collect())
        .collect();
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    // Triples first: they are the hardest to fit in late.
    while let Some(first) = interactions.iter().rev().find(|i| i.left > 0) {
        let start = first.uncovered.iter().position(|&u| u).expect("left > 0");
        let fixed = first.values(start, sizes);
        let mut best: Option<(usize, Vec<usize>)> = None;
        for _ in 0..CANDIDATES {
            let mut row = vec![usize::MAX; sizes.len()];
            for &(f, v) in &fixed {
                row[f] = v;
            }
            let mut order: Vec<usize> = (0..sizes.len()).filter(|&k| row[k] == usize::MAX).collect();
            rng.shuffle(&mut order);
            for k in order {
                let mut top = 0;
                let mut ties = Vec::new();
                for value in 0..sizes[k] {
                    row[k] = value;
                    let gain = touching[k]
                        .iter()
                        .filter(|&&i| interactions[i].index(&row, sizes).is_some_and(|x| interactions[i].uncovered[x]))
                        .count();
                    if gain > top {
                        top = gain;
                        ties.clear();
                    }
                    if gain == top {
                        ties.push(value);
                    }
                }
                row[k] = *rng.pick(&ties);
            }
            let covered = interactions.iter().filter(|i| i.index(&row, sizes).is_some_and(|x| i.uncovered[x])).count();
            if best.as_ref().is_none_or(|(score, _)| covered > *score) {
                best = Some((covered, row));
            }
        }
        let (_, row) = best.expect("at least one candidate");
        for i in &mut interactions {
            let x = i.index(&row, sizes).expect("a full row");
            if i.uncovered[x] {
                i.uncovered[x] = false;
                i.left -= 1;
            }
        }
        rows.push(row);
    }
    rows
}

/// Every pair of values (family, value, family, value) that `rows` leaves out.
pub fn missing_pairs(sizes: &[usize], rows: &[Vec<usize>]) -> Vec<(usize, usize, usize, usize)> {
    let seen: BTreeSet<(usize, usize, usize, usize)> = rows
        .iter()
        .flat_map(|row| (0..row.len()).flat_map(move |a| (a + 1..row.len()).map(move |b| (a, row[a], b, row[b]))))
        .collect();
    let mut missing = Vec::new();
    for f in 0..sizes.len() {
        for g in f + 1..sizes.len() {
            for v in 0..sizes[f] {
                for w in 0..sizes[g] {
                    if !seen.contains(&(f, v, g, w)) {
                        missing.push((f, v, g, w));
                    }
                }
            }
        }
    }
    missing
}
