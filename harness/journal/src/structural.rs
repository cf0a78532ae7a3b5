//! Structural index: the bulk, SIMD-friendly half of the validating scanner.
//!
//! [`build`] classifies a buffer 64 bytes at a time into bit masks (`@`,
//! newline, space, carriage return, hex letter, allowed byte), derives the
//! quote state of every byte from the parity of the `@`s before it (every
//! `@` toggles it: `@@` inside a value is a close immediately followed by
//! an open), and checks with mask arithmetic the rules of p4d's grammar
//! that concern single bytes and their neighbours. It records
//!
//! - `boundaries`: the newlines outside quotes, which end records;
//! - `inner_newlines`: newlines inside quoted values (for line numbers);
//! - `suspects`: positions where a rule may be broken or where only the
//!   exact tokenizer can decide (a 19..31 digit word, a minus sign...).
//!
//! The index is conservative by construction: a record with no suspect
//! inside it and a simple header (checked by [`simple_header`]) is one the
//! exact tokenizer would accept with the same extent; everything else is
//! handed to the exact tokenizer, which also produces the error text. The
//! property tests compare both paths on arbitrary and mutated inputs.

use crate::op::Op;

/// Positions found by [`build`], relative to the start of the indexed bytes.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// One mask per 64-byte window: bit i set when byte i of the window
    /// is a newline outside quotes (the end of a record).
    pub boundaries: Vec<u64>,
    pub inner_newlines: Vec<u32>,
    pub suspects: Vec<u32>,
}

impl Index {
    fn clear(&mut self) {
        self.boundaries.clear();
        self.inner_newlines.clear();
        self.suspects.clear();
    }

    /// The first record end at or after `from`.
    #[inline(always)]
    pub fn next_boundary(&self, from: usize) -> Option<usize> {
        let mut window = from / 64;
        let mut mask = *self.boundaries.get(window)? & (u64::MAX << (from % 64));
        while mask == 0 {
            window += 1;
            mask = *self.boundaries.get(window)?;
        }
        Some(window * 64 + mask.trailing_zeros() as usize)
    }
}

/// Bit masks of one 64-byte window (bit i = byte i).
#[derive(Clone, Copy, Default)]
struct Masks {
    at: u64,
    nl: u64,
    sp: u64,
    cr: u64,
    letter: u64,
    /// Bytes that may appear outside quotes: `@`, space, `\n`, `\r`, digits, hex letters.
    ok: u64,
    /// Prefix XOR of `at`: bit i set when an odd number of `@` are at or before i.
    parity: u64,
}

/// Shortest bare word read as a digest (shorter hex words are errors).
const DIGEST_MIN: usize = crate::field::Digest::MIN_LEN;
/// Bare words this long or longer (and shorter than a digest) may not fit
/// in an integer: the exact tokenizer decides.
const LONG_WORD: usize = 19;

#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn classify_scalar(chunk: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (i, &b) in chunk.iter().enumerate() {
        let bit = 1u64 << i;
        let is_at = b == b'@';
        let is_nl = b == b'\n';
        let is_sp = b == b' ';
        let is_cr = b == b'\r';
        let is_digit = b.is_ascii_digit();
        let is_letter = matches!(b, b'a'..=b'f' | b'A'..=b'F');
        if is_at {
            m.at |= bit;
        }
        if is_nl {
            m.nl |= bit;
        }
        if is_sp {
            m.sp |= bit;
        }
        if is_cr {
            m.cr |= bit;
        }
        if is_letter {
            m.letter |= bit;
        }
        if is_at || is_nl || is_sp || is_cr || is_digit || is_letter {
            m.ok |= bit;
        }
    }
    m.parity = prefix_xor(m.at);
    m
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! SSE2 (always present on x86_64) and AVX2 (detected at run time) classifiers.
    #![allow(unsafe_code)]

    use super::Masks;
    use std::arch::x86_64::*;

    #[inline(always)]
    pub(super) fn classify_sse2(chunk: &[u8; 64]) -> Masks {
        // SAFETY (all intrinsics below): SSE2 is part of the x86_64
        // baseline, so every x86_64 CPU has it.
        unsafe {
            let mut m = Masks::default();
            for q in 0..4 {
                // SAFETY: bytes q*16..q*16+16 of a 64-byte array; `loadu`
                // has no alignment requirement.
                let v = _mm_loadu_si128(chunk.as_ptr().add(q * 16).cast::<__m128i>());
                let at = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'@' as i8));
                let nl = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
                let sp = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
                let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
                let d = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
                let digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
                let l = _mm_sub_epi8(
                    _mm_or_si128(v, _mm_set1_epi8(0x20)),
                    _mm_set1_epi8(b'a' as i8),
                );
                let letter = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
                let ok = _mm_or_si128(
                    _mm_or_si128(_mm_or_si128(at, nl), _mm_or_si128(sp, cr)),
                    _mm_or_si128(digit, letter),
                );
                let shift = q * 16;
                let bits = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << shift;
                m.at |= bits(at);
                m.nl |= bits(nl);
                m.sp |= bits(sp);
                m.cr |= bits(cr);
                m.letter |= bits(letter);
                m.ok |= bits(ok);
            }
            m.parity = super::prefix_xor(m.at);
            m
        }
    }

    #[target_feature(enable = "avx2,pclmulqdq")]
    #[inline]
    fn classify_avx2(chunk: &[u8; 64]) -> Masks {
        // SAFETY: loads stay within the 64-byte array (see below); the
        // AVX2 intrinsics are enabled by this function's target feature.
        unsafe {
            let mut m = Masks::default();
            for half in 0..2 {
                // SAFETY: bytes half*32..half*32+32 of a 64-byte array.
                let v = _mm256_loadu_si256(chunk.as_ptr().add(half * 32).cast::<__m256i>());
                let at = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'@' as i8));
                let nl = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8));
                let sp = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8));
                let cr = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\r' as i8));
                let d = _mm256_sub_epi8(v, _mm256_set1_epi8(b'0' as i8));
                let digit = _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d);
                let l = _mm256_sub_epi8(
                    _mm256_or_si256(v, _mm256_set1_epi8(0x20)),
                    _mm256_set1_epi8(b'a' as i8),
                );
                let letter = _mm256_cmpeq_epi8(_mm256_min_epu8(l, _mm256_set1_epi8(5)), l);
                let ok = _mm256_or_si256(
                    _mm256_or_si256(_mm256_or_si256(at, nl), _mm256_or_si256(sp, cr)),
                    _mm256_or_si256(digit, letter),
                );
                let shift = half * 32;
                let bits = |x: __m256i| u64::from(_mm256_movemask_epi8(x) as u32) << shift;
                m.at |= bits(at);
                m.nl |= bits(nl);
                m.sp |= bits(sp);
                m.cr |= bits(cr);
                m.letter |= bits(letter);
                m.ok |= bits(ok);
            }
            // Carry-less multiplication by all ones is the prefix XOR.
            let product =
                _mm_clmulepi64_si128(_mm_set_epi64x(0, m.at as i64), _mm_set1_epi8(-1), 0);
            m.parity = _mm_cvtsi128_si64(product) as u64;
            m
        }
    }

    /// AVX-512BW compares yield the 64-bit masks directly, with no
    /// movemask and no halves to join: about a third of the AVX2 work.
    #[target_feature(enable = "avx512f,avx512bw,pclmulqdq")]
    #[inline]
    fn classify_avx512(chunk: &[u8; 64]) -> Masks {
        // SAFETY: one unaligned 64-byte load from a 64-byte array; the
        // AVX-512 intrinsics are enabled by this function's target feature.
        unsafe {
            let v = _mm512_loadu_si512(chunk.as_ptr().cast::<__m512i>());
            let at = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'@' as i8));
            let nl = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\n' as i8));
            let sp = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b' ' as i8));
            let cr = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\r' as i8));
            let digit = _mm512_cmple_epu8_mask(
                _mm512_sub_epi8(v, _mm512_set1_epi8(b'0' as i8)),
                _mm512_set1_epi8(9),
            );
            let letter = _mm512_cmple_epu8_mask(
                _mm512_sub_epi8(
                    _mm512_or_si512(v, _mm512_set1_epi8(0x20)),
                    _mm512_set1_epi8(b'a' as i8),
                ),
                _mm512_set1_epi8(5),
            );
            let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, at as i64), _mm_set1_epi8(-1), 0);
            Masks {
                at,
                nl,
                sp,
                cr,
                letter,
                ok: at | nl | sp | cr | digit | letter,
                parity: _mm_cvtsi128_si64(product) as u64,
            }
        }
    }

    #[target_feature(enable = "avx512f,avx512bw,pclmulqdq")]
    pub(super) fn build_avx512(buf: &[u8], index: &mut super::Index) {
        // Calling a function with the same target features as ours is safe.
        super::build_with(buf, index, |chunk| classify_avx512(chunk));
    }

    #[target_feature(enable = "avx2,pclmulqdq")]
    pub(super) fn build_avx2(buf: &[u8], index: &mut super::Index) {
        // Calling a function with the same target feature as ours is safe.
        super::build_with(buf, index, |chunk| classify_avx2(chunk));
    }

    pub(super) fn build_sse2(buf: &[u8], index: &mut super::Index) {
        super::build_with(buf, index, classify_sse2);
    }
}

/// Builds the index of `buf`, which must start at a record boundary.
/// Positions are `u32`; the caller keeps buffers below 4 GiB.
pub(crate) fn build(buf: &[u8], index: &mut Index) {
    index.clear();
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("pclmulqdq")
        {
            // SAFETY: the CPU supports AVX-512F, AVX-512BW and PCLMULQDQ
            // (checked just above).
            #[allow(unsafe_code)]
            unsafe {
                x86::build_avx512(buf, index)
            };
        } else if std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("pclmulqdq")
        {
            // SAFETY: the CPU supports AVX2 and PCLMULQDQ (checked just above).
            #[allow(unsafe_code)]
            unsafe {
                x86::build_avx2(buf, index)
            };
        } else {
            x86::build_sse2(buf, index);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    build_with(buf, index, classify_scalar);
}

#[cfg(test)]
pub(crate) fn build_portable(buf: &[u8], index: &mut Index) {
    index.clear();
    build_with(buf, index, classify_scalar);
}

#[inline(always)]
pub(super) fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

#[inline(always)]
fn push_bits(mut bits: u64, base: usize, out: &mut Vec<u32>) {
    while bits != 0 {
        out.push((base + bits.trailing_zeros() as usize) as u32);
        bits &= bits - 1;
    }
}

/// State carried from one window to the next.
struct Carry {
    /// All ones when the next window starts inside a quoted word.
    inside: u64,
    /// 1 when the last byte was a closing `@`.
    closing: u64,
    /// 1 when an opening `@` may follow (space, newline, closing `@`, start).
    opening_ok: u64,
    /// 1 when the last byte was a space outside quotes.
    space: u64,
    /// 1 when the last byte was a carriage return outside quotes.
    cr: u64,
    /// Length of the bare word running up to the end of the last window.
    word_run: usize,
    /// Where that bare word started.
    run_start: usize,
    /// Start of a bare word that needs its length judged and is still open.
    pending: Option<usize>,
}

#[inline(always)]
fn judge(start: usize, end: usize, suspects: &mut Vec<u32>) {
    // A word reaching here holds a hex letter or is at least LONG_WORD
    // long: only a digest length makes it certainly valid.
    if end - start < DIGEST_MIN {
        suspects.push(start as u32);
    }
}

#[inline(always)]
fn build_with(buf: &[u8], index: &mut Index, classify: impl Fn(&[u8; 64]) -> Masks) {
    let mut carry = Carry {
        inside: 0,
        closing: 0,
        opening_ok: 1,
        space: 0,
        cr: 0,
        word_run: 0,
        run_start: 0,
        pending: None,
    };
    let mut chunks = buf.chunks_exact(64);
    let mut base = 0usize;
    for chunk in &mut chunks {
        let window: &[u8; 64] = match chunk.try_into() {
            Ok(w) => w,
            Err(_) => return,
        };
        window_step(classify(window), u64::MAX, base, &mut carry, index);
        base += 64;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; 64];
        tail[..rest.len()].copy_from_slice(rest);
        let valid = (1u64 << rest.len()) - 1;
        window_step(classify(&tail), valid, base, &mut carry, index);
    }
    // Words are judged when they end, after the rule breaks of the window
    // they end in were recorded: restore position order.
    index.suspects.sort_unstable();
}

#[inline(always)]
fn window_step(m: Masks, valid: u64, base: usize, carry: &mut Carry, index: &mut Index) {
    let at = m.at & valid;
    let nl = m.nl & valid;
    let sp = m.sp & valid;
    let cr = m.cr & valid;
    let parity = if valid == u64::MAX {
        m.parity
    } else {
        prefix_xor(at)
    };
    let quoted = parity ^ carry.inside;
    let closing = at & !quoted;
    let opening = at & quoted;
    let outside = !quoted & !at & valid;
    let delimiter = sp | nl | cr;

    // Bytes outside quotes must be delimiters, digits or hex letters.
    let mut bad = !m.ok & outside;
    // A closing quote is followed by a delimiter or (`@@`) another quote.
    bad |= ((closing << 1) | carry.closing) & !(delimiter | at) & valid;
    // An opening quote follows a space, a record start or a closing quote.
    bad |= opening & !(((sp | nl | closing) << 1) | carry.opening_ok);
    // No empty words: no second space after a space.
    let sp_out = sp & outside;
    bad |= ((sp_out << 1) | carry.space) & sp;
    // A carriage return outside quotes ends the line.
    let cr_out = cr & outside;
    bad |= ((cr_out << 1) | carry.cr) & !nl & valid;

    index.boundaries.push(nl & outside);
    let inner = nl & quoted;
    if inner != 0 {
        push_bits(inner, base, &mut index.inner_newlines);
    }
    if bad != 0 {
        push_bits(bad, base, &mut index.suspects);
    }

    // Bare words: hex letters only in digests; long numbers to the exact path.
    let word = outside & m.ok & !delimiter;
    if carry.word_run == 0 {
        carry.run_start = base;
    }
    let mut long = word & (word << 1);
    long &= long << 2;
    long &= long << 4;
    long &= long << 8;
    long &= long << (LONG_WORD - 16);
    let lead = (!word).trailing_zeros() as usize;
    if carry.word_run > 0 && lead > 0 && carry.word_run + lead >= LONG_WORD {
        long |= 1;
    }
    let mut candidates = (m.letter & outside) | long;
    if let Some(start) = carry.pending {
        if lead == 64 {
            candidates = 0;
        } else {
            judge(start, base + lead, &mut index.suspects);
            carry.pending = None;
            candidates &= !((1u64 << lead) - 1);
        }
    }
    while candidates != 0 {
        let p = candidates.trailing_zeros();
        let below = !word & ((1u64 << p) - 1);
        let start = if below != 0 {
            base + 64 - below.leading_zeros() as usize
        } else {
            carry.run_start
        };
        let above = !word & !((1u64 << p) - 1);
        if above == 0 {
            carry.pending = Some(start);
            break;
        }
        let end = above.trailing_zeros();
        judge(start, base + end as usize, &mut index.suspects);
        candidates &= !((1u64 << end) - 1);
    }
    if word >> 63 == 1 {
        if !word == 0 {
            carry.word_run += 64;
        } else {
            let zeros_top = (!word).leading_zeros() as usize;
            carry.word_run = zeros_top;
            carry.run_start = base + 64 - zeros_top;
        }
    } else {
        carry.word_run = 0;
    }

    carry.inside = ((quoted as i64) >> 63) as u64;
    carry.closing = closing >> 63;
    carry.opening_ok = ((sp | nl | closing) >> 63) & 1;
    carry.space = sp_out >> 63;
    carry.cr = cr_out >> 63;
}

/// The marker and table of a record whose first words have the common
/// data shape `@op@ N @table@` (N a plain number of at most 18 digits,
/// table non-empty without `@@`), with the table's start and length.
/// `None` means "let the exact tokenizer look".
#[inline(always)]
pub(crate) fn simple_header(record: &[u8]) -> Option<(Op, usize, usize)> {
    let (op, mut i) = match record.get(..6)? {
        [b'@', b'p', b'v', b'@', b' ', _] => (Op::Pv, 5),
        [b'@', b'r', b'v', b'@', b' ', _] => (Op::Rv, 5),
        [b'@', b'd', b'v', b'@', b' ', _] => (Op::Dv, 5),
        [b'@', b'v', b'v', b'@', b' ', _] => (Op::Vv, 5),
        [b'@', b'd', b'l', b'@', b' ', _] => (Op::Dl, 5),
        [b'@', b'p', b'u', b't', b'@', b' '] => (Op::Put, 6),
        [b'@', b'd', b'e', b'l', b'@', b' '] => (Op::Del, 6),
        _ => return None,
    };
    let digits_start = i;
    while record.get(i)?.is_ascii_digit() {
        i += 1;
    }
    let digits = i - digits_start;
    if digits == 0 || digits >= LONG_WORD || *record.get(i)? != b' ' {
        return None;
    }
    i += 1;
    if *record.get(i)? != b'@' {
        return None;
    }
    let table_start = i + 1;
    let len = first_at(record.get(table_start..)?)?;
    if len == 0 || record.get(table_start + len + 1) == Some(&b'@') {
        return None;
    }
    Some((op, table_start, len))
}

/// Position of the first `@` in `bytes`. Table names are short (most
/// under 16 bytes): eight bytes at a time without a branch per byte, since
/// a loop whose exit varies with each record's table name mispredicts
/// once per record, and a library search costs more to set up.
#[inline(always)]
fn first_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut base = 0;
    while let Some(word) = bytes.get(base..base + 8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        // A zero byte where the input has `@`; the lowest flagged byte is
        // exact (borrows only flag bytes above a real zero).
        let v = u64::from_le_bytes(eight) ^ (ONES * u64::from(b'@'));
        let zero = v.wrapping_sub(ONES) & !v & HIGH;
        if zero != 0 {
            return Some(base + zero.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    bytes[base..]
        .iter()
        .position(|&b| b == b'@')
        .map(|p| base + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(text: &[u8]) -> Index {
        let mut fast = Index::default();
        build(text, &mut fast);
        let mut portable = Index::default();
        build_portable(text, &mut portable);
        assert_eq!(fast.boundaries, portable.boundaries);
        assert_eq!(fast.boundaries.len(), text.len().div_ceil(64));
        assert_eq!(fast.inner_newlines, portable.inner_newlines);
        assert_eq!(fast.suspects, portable.suspects);
        fast
    }

    #[test]
    fn finds_boundaries_outside_quotes_only() {
        let text = b"@pv@ 0 @db.desc@ 1 @a\n@@pv@@\n@ \n@ex@ 1 2\n";
        let idx = index_of(text);
        assert_eq!(idx.next_boundary(0), Some(31));
        assert_eq!(idx.next_boundary(32), Some(40));
        assert_eq!(idx.next_boundary(41), None);
        assert_eq!(idx.inner_newlines, vec![21, 28]);
        assert!(idx.suspects.is_empty());
    }

    #[test]
    fn flags_rule_breaks() {
        for (text, at) in [
            (&b"@pv@ 1 @db.x@ @a@b \n"[..], 17),
            (b"@pv@ 1 @db.x@ 12@ \n", 16),
            (b"@pv@ 1  @db.x@\n", 7),
            (b"@pv@ 1 @db.x@ 1\r2\n", 16),
            (b"@pv@ 1 @db.x@ -1\n", 14),
            (b"@pv@ 1 @db.x@ ABC \n", 14),
            (b"@pv@ 1 @db.x@ 1234567890123456789 \n", 14),
        ] {
            let idx = index_of(text);
            assert_eq!(
                idx.suspects.first().copied(),
                Some(at),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn digests_are_not_suspects_across_windows() {
        for pad in 0..70 {
            let mut text = b"@pv@ 1 @db.rev@ @".to_vec();
            text.extend(std::iter::repeat_n(b'x', pad));
            text.extend_from_slice(b"@ 47D355EA47D55FAEC8C92A2ABDA980BC 12345678 \n");
            let idx = index_of(&text);
            assert!(idx.suspects.is_empty(), "pad {pad}: {:?}", idx.suspects);
            // One letter short of a digest is suspect wherever it falls.
            let mut short = b"@pv@ 1 @db.rev@ @".to_vec();
            short.extend(std::iter::repeat_n(b'x', pad));
            short.extend_from_slice(b"@ 47D355EA47D55FAEC8C92A2ABDA980B 1 \n");
            assert_eq!(index_of(&short).suspects.len(), 1, "pad {pad}");
            let mut long_number = b"@pv@ 1 @db.rev@ @".to_vec();
            long_number.extend(std::iter::repeat_n(b'x', pad));
            long_number.extend_from_slice(b"@ 1234567890123456789012 1 \n");
            assert_eq!(index_of(&long_number).suspects.len(), 1, "pad {pad}");
        }
    }

    #[test]
    fn first_at_finds_the_first_quote_at_any_position() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = vec![b'a'; len];
                // Bytes just above and below `@` must not be taken for it.
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = [b'?', b'A', b'a', 0x40 ^ 0x80][i % 4];
                }
                if at < len {
                    bytes[at] = b'@';
                    if at + 1 < len {
                        bytes[at + 1] = b'@';
                    }
                }
                let expected = bytes.iter().position(|&b| b == b'@');
                assert_eq!(first_at(&bytes), expected, "len {len} at {at}");
            }
        }
    }

    #[test]
    fn simple_headers() {
        assert_eq!(
            simple_header(b"@pv@ 1 @db.counters@ @a@\n"),
            Some((Op::Pv, 8, 11))
        );
        assert_eq!(simple_header(b"@put@ 3 @db.x@\n"), Some((Op::Put, 9, 4)));
        assert_eq!(simple_header(b"@ex@ 1 2\n"), None);
        assert_eq!(simple_header(b"@pv@ -1 @db.x@\n"), None);
        assert_eq!(simple_header(b"@pv@ 1 @@ @a@\n"), None);
        assert_eq!(simple_header(b"@pv@ 1 @d@@b@ @a@\n"), None);
        assert_eq!(simple_header(b"@pv@ 1 @db"), None);
    }
}

#[cfg(test)]
mod order {
    #[test]
    fn suspects_are_in_position_order() {
        // A short hex word ending in the window after it began, then a rule
        // break early in that next window.
        let mut text = b"@pv@ 1 @db.rev@ @".to_vec();
        text.extend(std::iter::repeat_n(b'x', 34));
        text.extend_from_slice(b"@ 1 B72B933FC28A7696\n@ex@ 1 2 @@ 9@ \n");
        let mut idx = super::Index::default();
        super::build(&text, &mut idx);
        assert_eq!(idx.suspects.len(), 2);
        assert!(
            idx.suspects.windows(2).all(|w| w[0] <= w[1]),
            "{:?}",
            idx.suspects
        );
    }
}
