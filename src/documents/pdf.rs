//! A small page writer over `pdf-writer`: A4 pages, Helvetica (one of the PDF standard fonts,
//! so nothing is embedded and the files stay a few kilobytes), lines of text, right-aligned
//! amounts, rules, and a new page when one is full.
//!
//! French text is encoded in WinAnsiEncoding (Windows-1252), which the standard fonts cover:
//! every accented letter of French, `œ`, `€`, the non-breaking space of amounts and typographic
//! quotes render as such. A character outside it prints as `?` rather than as garbage.

use std::time::Instant;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Windows-1252 bytes for `text`; `?` for what it cannot hold.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{202f}' => 0xa0,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            _ => b'?',
        })
        .collect()
}

/// Advance widths of printable ASCII (32 to 126) in Helvetica and Helvetica-Bold, 1/1000 em.
const ASCII_REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const ASCII_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// Width of `text` at `size` points. Accented letters are as wide as their base letter in
/// Helvetica; the few other symbols are listed.
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &ASCII_BOLD } else { &ASCII_REGULAR };
    let ascii = |c: char| table[(c as usize).saturating_sub(32).min(94)];
    let units: u32 = text
        .chars()
        .map(|c| -> u32 {
            match c {
                ' '..='~' => ascii(c).into(),
                '\u{a0}' | '\u{202f}' => 278,
                '€' | '«' | '»' | '–' => 556,
                '—' | '…' | 'Œ' | 'Æ' => 1000,
                'œ' => 944,
                '’' | '‘' => 222,
                '°' => 400,
                _ => deunicode::deunicode_char(c)
                    .unwrap_or("?")
                    .chars()
                    .filter(|c| (' '..='~').contains(c))
                    .map(|c| u32::from(ascii(c)))
                    .sum(),
            }
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` cut to fit `limit` points: unchanged when it fits, otherwise the longest prefix that
/// fits with a `…` after it (trailing spaces dropped), or nothing when not even `…` fits.
///
/// One pass over the characters, measured with the font's widths: the cut happens once, so
/// it always ends (an earlier loop that popped a character and appended `…` again removed
/// the `…` it had just added and never shortened the text).
pub fn fit_to_width(text: &str, size: f32, bold: bool, limit: f32) -> String {
    if text_width(text, size, bold) <= limit {
        return text.to_owned();
    }
    let room = limit - text_width("…", size, bold);
    let mut used = 0.0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        let mut buffer = [0u8; 4];
        used += text_width(c.encode_utf8(&mut buffer), size, bold);
        if used > room {
            break;
        }
        end = at + c.len_utf8();
    }
    if room < 0.0 {
        return String::new();
    }
    // No dangling space, opening bracket or hyphen before the ellipsis.
    let mut fitted = text[..end]
        .trim_end_matches([' ', '\u{a0}', '(', '-', ','])
        .to_owned();
    fitted.push('…');
    fitted
}

/// Byte length of the longest prefix of `word` within `width` points, at least one character.
fn longest_prefix_within(word: &str, size: f32, bold: bool, width: f32) -> usize {
    let mut used = 0.0;
    let mut end = 0;
    for (at, c) in word.char_indices() {
        let mut buffer = [0u8; 4];
        used += text_width(c.encode_utf8(&mut buffer), size, bold);
        if used > width && end > 0 {
            break;
        }
        end = at + c.len_utf8();
    }
    end
}

/// How a cell sits at its x position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Starts at x.
    Left,
    /// Ends at x.
    Right,
}

/// A document took longer to lay out than its time bound: generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("document layout exceeded its time bound")]
pub struct LayoutTimeout;

/// A document being written.
///
/// Every layout operation checks the document's deadline and fails once it has passed, so a
/// builder that loops (a layout bug, an unexpected input) stops with [`LayoutTimeout`] instead
/// of pinning a core: builders call the operations with `?`.
pub struct PdfWriter {
    title: String,
    pages: Vec<Vec<u8>>,
    content: Content,
    y: f32,
    deadline: Instant,
}

impl PdfWriter {
    /// Left edge of the text.
    pub const LEFT: f32 = MARGIN;
    /// Right edge of the text.
    pub const RIGHT: f32 = PAGE_WIDTH - MARGIN;

    /// A document with one empty page, to be laid out before `deadline`.
    pub fn new(title: &str, deadline: Instant) -> Self {
        Self {
            title: title.to_owned(),
            pages: Vec::new(),
            content: Content::new(),
            y: PAGE_HEIGHT - MARGIN,
            deadline,
        }
    }

    fn check_deadline(&self) -> Result<(), LayoutTimeout> {
        if Instant::now() > self.deadline {
            Err(LayoutTimeout)
        } else {
            Ok(())
        }
    }

    fn new_page(&mut self) {
        let full = std::mem::replace(&mut self.content, Content::new());
        self.pages.push(full.finish().to_vec());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Makes room for a line of `height` points, starting a page when this one is full.
    fn advance(&mut self, height: f32) -> Result<(), LayoutTimeout> {
        self.check_deadline()?;
        if self.y - height < MARGIN {
            self.new_page();
        }
        self.y -= height;
        Ok(())
    }

    fn show(&mut self, x: f32, text: &str, size: f32, bold: bool, align: Align) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - text_width(text, size, bold),
        };
        let encoded = win_ansi(text);
        self.content
            .begin_text()
            .set_font(if bold { BOLD } else { REGULAR }, size)
            .next_line(x, self.y)
            .show(Str(&encoded))
            .end_text();
    }

    /// A line of text, wrapped at the right margin; a word wider than a whole line is broken
    /// where the margin falls.
    pub fn paragraph(&mut self, text: &str, size: f32, bold: bool) -> Result<(), LayoutTimeout> {
        let width = Self::RIGHT - Self::LEFT;
        let mut line = String::new();
        for word in text.split(' ') {
            let mut word = word;
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size, bold) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                self.advance(size * 1.35)?;
                self.show(Self::LEFT, &line, size, bold, Align::Left);
                line.clear();
            }
            // Each piece takes at least one character, so this ends after the word's length.
            while text_width(word, size, bold) > width {
                let cut = longest_prefix_within(word, size, bold, width);
                self.advance(size * 1.35)?;
                self.show(Self::LEFT, &word[..cut], size, bold, Align::Left);
                word = &word[cut..];
            }
            line = word.to_owned();
        }
        self.advance(size * 1.35)?;
        self.show(Self::LEFT, &line, size, bold, Align::Left);
        Ok(())
    }

    /// One line of cells, each at its x; a cell too wide for its column is shortened with `…`.
    pub fn row(
        &mut self,
        cells: &[(f32, Align, &str)],
        size: f32,
        bold: bool,
    ) -> Result<(), LayoutTimeout> {
        self.advance(size * 1.45)?;
        for (i, (x, align, text)) in cells.iter().enumerate() {
            let limit = match align {
                // Up to the next cell's start (its text's start, for a right-aligned one).
                Align::Left => {
                    cells
                        .get(i + 1)
                        .map(|(next_x, next_align, next_text)| match next_align {
                            Align::Left => *next_x,
                            Align::Right => *next_x - text_width(next_text, size, bold),
                        })
                        .unwrap_or(Self::RIGHT)
                        - x
                        - 6.0
                }
                // From the previous cell's start, or the margin.
                Align::Right => {
                    x - i
                        .checked_sub(1)
                        .and_then(|p| cells.get(p))
                        .map_or(Self::LEFT, |(prev_x, _, _)| *prev_x + 6.0)
                }
            };
            let text = fit_to_width(text, size, bold, limit);
            self.show(*x, &text, size, bold, *align);
        }
        Ok(())
    }

    /// A horizontal rule across the text width.
    pub fn rule(&mut self) -> Result<(), LayoutTimeout> {
        self.advance(6.0)?;
        self.content
            .set_line_width(0.5)
            .move_to(Self::LEFT, self.y)
            .line_to(Self::RIGHT, self.y)
            .stroke();
        Ok(())
    }

    /// Vertical space.
    pub fn space(&mut self, points: f32) -> Result<(), LayoutTimeout> {
        self.advance(points)
    }

    /// The PDF bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, LayoutTimeout> {
        self.check_deadline()?;
        self.new_page();
        let mut pdf = Pdf::new();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let first_page = 6;
        let page_ids: Vec<Ref> = (0..self.pages.len())
            .map(|i| Ref::new(first_page + 2 * i as i32))
            .collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(page_ids.len() as i32);
        for (i, content) in self.pages.iter().enumerate() {
            let page_id = page_ids[i];
            let content_id = Ref::new(page_id.get() + 1);
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree)
                .contents(content_id);
            page.resources()
                .fonts()
                .pair(REGULAR, regular)
                .pair(BOLD, bold);
            page.finish();
            pdf.stream(content_id, content);
        }
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info)
            .title(TextStr(&self.title))
            .producer(TextStr("ComptExpert"));
        Ok(pdf.finish())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn far_deadline() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn a_name_wider_than_its_column_is_cut_once_with_an_ellipsis() {
        let name = "D'ARTAGNAN-LEFÈVRE Hélène (PP)";
        let limit = 120.0;
        let fitted = fit_to_width(name, 9.5, false, limit);
        assert!(fitted.ends_with('…'), "{fitted}");
        assert!(text_width(&fitted, 9.5, false) <= limit);
        let kept = fitted.trim_end_matches('…');
        assert!(name.starts_with(kept) && kept.len() > 5, "{fitted}");
        // One more character would not have fitted.
        let next = name[kept.len()..]
            .chars()
            .next()
            .expect("a character was cut");
        let longer = format!("{kept}{next}…");
        assert!(text_width(&longer, 9.5, false) > limit || next == ' ');
    }

    #[test]
    fn text_that_fits_is_left_alone_and_no_room_leaves_nothing() {
        assert_eq!(fit_to_width("Paris", 10.0, true, 200.0), "Paris");
        assert_eq!(fit_to_width("", 10.0, false, 0.0), "");
        assert_eq!(fit_to_width("Hélène", 10.0, false, 1.0), "");
        assert_eq!(fit_to_width("Hélène", 10.0, false, -30.0), "");
    }

    #[test]
    fn a_row_with_a_name_wider_than_its_column_ends() {
        // The call for contributions' columns: this name never answered before.
        let mut doc = PdfWriter::new("Appel", far_deadline());
        doc.row(
            &[
                (
                    PdfWriter::LEFT,
                    Align::Left,
                    "D'ARTAGNAN-LEFÈVRE Hélène (PP)",
                ),
                (220.0, Align::Left, "0750342"),
                (310.0, Align::Left, "À déclarer"),
                (PdfWriter::RIGHT, Align::Right, "450,00 €"),
            ],
            9.5,
            false,
        )
        .expect("laid out");
        assert!(doc.finish().expect("finished").starts_with(b"%PDF-"));
    }

    #[test]
    fn a_word_wider_than_the_page_is_broken_across_lines() {
        let mut doc = PdfWriter::new("Long", far_deadline());
        let word = "é".repeat(2_000);
        doc.paragraph(&word, 10.0, false).expect("laid out");
        let bytes = doc.finish().expect("finished");
        // 2,000 characters at ~5.6 pt each over 483 pt lines: about 24 lines.
        let lines = String::from_utf8_lossy(&bytes).matches(" Td").count();
        assert!((20..40).contains(&lines), "{lines} lines");
    }

    #[test]
    fn layout_stops_at_its_deadline() {
        let mut doc = PdfWriter::new("Late", Instant::now() - Duration::from_millis(1));
        assert_eq!(doc.space(10.0), Err(LayoutTimeout));
        assert_eq!(doc.paragraph("texte", 10.0, false), Err(LayoutTimeout));
        assert!(doc.finish().is_err());
    }

    #[test]
    fn french_text_is_encoded_for_the_standard_fonts() {
        assert_eq!(
            win_ansi("Réglé à 1\u{a0}234,56\u{a0}€ – œuvre «\u{a0}reçu\u{a0}»"),
            b"R\xe9gl\xe9 \xe0 1\xa0234,56\xa0\x80 \x96 \x9cuvre \xab\xa0re\xe7u\xa0\xbb".to_vec()
        );
        assert_eq!(win_ansi("Ąb"), b"?b".to_vec());
    }

    #[test]
    fn accented_letters_are_as_wide_as_their_base_letter() {
        assert_eq!(text_width("é", 10.0, false), text_width("e", 10.0, false));
        assert_eq!(
            text_width("1 234,56 €", 10.0, false),
            text_width("1 234,56 0", 10.0, false)
        );
        assert!(text_width("M", 10.0, true) > text_width("i", 10.0, true));
    }

    #[test]
    fn a_document_is_a_pdf_with_its_pages_and_standard_fonts() {
        let mut doc = PdfWriter::new("Reçu", far_deadline());
        for i in 0..120 {
            doc.row(
                &[
                    (PdfWriter::LEFT, Align::Left, &format!("Ligne n° {i} — éàç")),
                    (PdfWriter::RIGHT, Align::Right, "12,00 €"),
                ],
                10.0,
                false,
            )
            .expect("laid out");
        }
        let bytes = doc.finish().expect("finished");
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/WinAnsiEncoding"));
        assert!(text.contains("/Count 3"), "120 lines take three pages");
    }
}
