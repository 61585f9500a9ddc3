//! The workbook's cell styles: registered before the sheets that use them, written last.

use super::xml::escaped;
use std::fmt::Write;

/// Horizontal alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Align {
    Center,
}

/// Vertical alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VAlign {
    Top,
    Center,
}

/// A cell style. `Style::default()` is the workbook's default (Calibri 11, nothing else).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Style {
    pub font: &'static str,
    /// Points.
    pub size: u8,
    pub bold: bool,
    /// A solid fill, `0xRRGGBB`.
    pub fill: Option<u32>,
    /// A thin border on every side.
    pub border: bool,
    pub align: Option<Align>,
    pub valign: Option<VAlign>,
    pub wrap: bool,
    /// A number format with this many decimals (`0`, `0.00`, …).
    pub decimals: Option<u32>,
    /// Editable on a protected sheet.
    pub unlocked: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            font: "Calibri",
            size: 11,
            bold: false,
            fill: None,
            border: false,
            align: None,
            valign: None,
            wrap: false,
            decimals: None,
            unlocked: false,
        }
    }
}

/// A registered style's index in the workbook (`s="…"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct StyleId(pub(crate) u32);

#[derive(Default)]
pub(crate) struct Styles {
    list: Vec<Style>,
}

fn position<T: PartialEq>(v: &mut Vec<T>, x: T) -> usize {
    match v.iter().position(|y| *y == x) {
        Some(i) => i,
        None => {
            v.push(x);
            v.len() - 1
        }
    }
}

impl Styles {
    pub(crate) fn new() -> Self {
        Styles { list: vec![Style::default()] }
    }

    pub(crate) fn add(&mut self, style: Style) -> StyleId {
        StyleId(position(&mut self.list, style) as u32)
    }

    /// `xl/styles.xml`.
    pub(crate) fn xml(&self) -> String {
        let mut fonts: Vec<(&str, u8, bool)> = Vec::new();
        let mut fills: Vec<Option<u32>> = vec![None, None];
        let mut formats: Vec<u32> = Vec::new();
        let mut xfs = String::new();
        for s in &self.list {
            let font = position(&mut fonts, (s.font, s.size, s.bold));
            let fill = match s.fill {
                None => 0,
                Some(rgb) => position(&mut fills, Some(rgb)),
            };
            let num = match s.decimals {
                None => 0,
                Some(0) => 1,
                Some(2) => 2,
                Some(d) => 164 + position(&mut formats, d),
            };
            let border = u8::from(s.border);
            let _ = write!(
                xfs,
                "<xf numFmtId=\"{num}\" fontId=\"{font}\" fillId=\"{fill}\" borderId=\"{border}\" xfId=\"0\""
            );
            for (on, name) in [
                (num != 0, "applyNumberFormat"),
                (font != 0, "applyFont"),
                (fill != 0, "applyFill"),
                (border != 0, "applyBorder"),
            ] {
                if on {
                    let _ = write!(xfs, " {name}=\"1\"");
                }
            }
            let aligned = s.align.is_some() || s.valign.is_some() || s.wrap;
            if aligned {
                xfs += " applyAlignment=\"1\"";
            }
            if s.unlocked {
                xfs += " applyProtection=\"1\"";
            }
            if !aligned && !s.unlocked {
                xfs += "/>";
                continue;
            }
            xfs += ">";
            if aligned {
                xfs += "<alignment";
                if s.align == Some(Align::Center) {
                    xfs += " horizontal=\"center\"";
                }
                match s.valign {
                    Some(VAlign::Top) => xfs += " vertical=\"top\"",
                    Some(VAlign::Center) => xfs += " vertical=\"center\"",
                    None => {}
                }
                if s.wrap {
                    xfs += " wrapText=\"1\"";
                }
                xfs += "/>";
            }
            if s.unlocked {
                xfs += "<protection locked=\"0\"/>";
            }
            xfs += "</xf>";
        }
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        );
        if !formats.is_empty() {
            let _ = write!(out, "<numFmts count=\"{}\">", formats.len());
            for (i, d) in formats.iter().enumerate() {
                let code = format!("0.{}", "0".repeat(*d as usize));
                let _ = write!(out, "<numFmt numFmtId=\"{}\" formatCode=\"{code}\"/>", 164 + i);
            }
            out += "</numFmts>";
        }
        let _ = write!(out, "<fonts count=\"{}\">", fonts.len());
        for (name, size, bold) in &fonts {
            out += "<font>";
            if *bold {
                out += "<b/>";
            }
            let _ = write!(
                out,
                "<sz val=\"{size}\"/><name val=\"{}\"/><family val=\"{}\"/></font>",
                escaped(name, true),
                if *name == "Calibri" { 2 } else { 1 }
            );
        }
        let _ = write!(out, "</fonts><fills count=\"{}\">", fills.len());
        out += "<fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>";
        for rgb in fills.iter().skip(2).flatten() {
            let _ = write!(
                out,
                "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FF{rgb:06X}\"/><bgColor indexed=\"64\"/></patternFill></fill>"
            );
        }
        out += "</fills><borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
                <border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right>\
                <top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>\
                <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>";
        let _ = write!(out, "<cellXfs count=\"{}\">{xfs}</cellXfs>", self.list.len());
        out += "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
                <dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>";
        out
    }
}
