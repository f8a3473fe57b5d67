//! A small page writer over `pdf-writer`: A4 pages, Helvetica (one of the PDF standard fonts,
//! so nothing is embedded and the files stay a few kilobytes), lines of text, right-aligned
//! amounts, rules, and a new page when one is full.
//!
//! French text is encoded in WinAnsiEncoding (Windows-1252), which the standard fonts cover:
//! every accented letter of French, `œ`, `€`, the non-breaking space of amounts and typographic
//! quotes render as such. A character outside it prints as `?` rather than as garbage.

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

/// How a cell sits at its x position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Starts at x.
    Left,
    /// Ends at x.
    Right,
}

/// A document being written.
pub struct PdfWriter {
    title: String,
    pages: Vec<Vec<u8>>,
    content: Content,
    y: f32,
}

impl PdfWriter {
    /// Left edge of the text.
    pub const LEFT: f32 = MARGIN;
    /// Right edge of the text.
    pub const RIGHT: f32 = PAGE_WIDTH - MARGIN;

    /// A document with one empty page.
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            pages: Vec::new(),
            content: Content::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn new_page(&mut self) {
        let full = std::mem::replace(&mut self.content, Content::new());
        self.pages.push(full.finish().to_vec());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Makes room for a line of `height` points, starting a page when this one is full.
    fn advance(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.new_page();
        }
        self.y -= height;
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

    /// A line of text, wrapped at the right margin.
    pub fn paragraph(&mut self, text: &str, size: f32, bold: bool) {
        let mut line = String::new();
        for word in text.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && text_width(&candidate, size, bold) > Self::RIGHT - Self::LEFT {
                self.advance(size * 1.35);
                self.show(Self::LEFT, &line, size, bold, Align::Left);
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        self.advance(size * 1.35);
        self.show(Self::LEFT, &line, size, bold, Align::Left);
    }

    /// One line of cells, each at its x; a cell too wide for its column is shortened with `…`.
    pub fn row(&mut self, cells: &[(f32, Align, &str)], size: f32, bold: bool) {
        self.advance(size * 1.45);
        for (i, (x, align, text)) in cells.iter().enumerate() {
            let mut text = (*text).to_owned();
            if *align == Align::Left {
                let limit = cells
                    .get(i + 1)
                    .map(|(next_x, next_align, next_text)| match next_align {
                        Align::Left => *next_x,
                        Align::Right => *next_x - text_width(next_text, size, bold),
                    })
                    .unwrap_or(Self::RIGHT)
                    - x
                    - 6.0;
                while text_width(&text, size, bold) > limit && text.chars().count() > 1 {
                    text.pop();
                    while text.ends_with(['…', ' ']) {
                        text.pop();
                    }
                    text.push('…');
                }
            }
            self.show(*x, &text, size, bold, *align);
        }
    }

    /// A horizontal rule across the text width.
    pub fn rule(&mut self) {
        self.advance(6.0);
        self.content
            .set_line_width(0.5)
            .move_to(Self::LEFT, self.y)
            .line_to(Self::RIGHT, self.y)
            .stroke();
    }

    /// Vertical space.
    pub fn space(&mut self, points: f32) {
        self.advance(points);
    }

    /// The PDF bytes.
    pub fn finish(mut self) -> Vec<u8> {
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
        pdf.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut doc = PdfWriter::new("Reçu");
        for i in 0..120 {
            doc.row(
                &[
                    (PdfWriter::LEFT, Align::Left, &format!("Ligne n° {i} — éàç")),
                    (PdfWriter::RIGHT, Align::Right, "12,00 €"),
                ],
                10.0,
                false,
            );
        }
        let bytes = doc.finish();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/WinAnsiEncoding"));
        assert!(text.contains("/Count 3"), "120 lines take three pages");
    }
}
