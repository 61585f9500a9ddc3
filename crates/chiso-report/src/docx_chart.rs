//! Native Word charts (DrawingML): editable in Word, rendered by LibreOffice for the PDF.
//! Values are cached in the chart part and kept in an embedded workbook (Sheet1: categories
//! in column A, one series per column from B) so Word's "Edit Data" opens them. Data labels
//! are written as text with the decimal comma ("56,3", "5,0%"), so every reader sees the
//! Vietnamese number whatever the locale of Word or LibreOffice.

use crate::docx::escape;
use crate::model::{Chart, Series};
use crate::vi;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write as _;

const PALETTE: [&str; 8] = ["1F4E79", "C55A11", "548235", "7F6000", "7030A0", "2E75B6", "A5A5A5", "BF9000"];

fn text_props(size: u32) -> String {
    format!(
        "<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"{size}\"><a:latin typeface=\"Times New Roman\"/>\
         <a:cs typeface=\"Times New Roman\"/></a:defRPr></a:pPr><a:endParaRPr lang=\"vi-VN\"/></a:p></c:txPr>"
    )
}

fn str_cache(col: char, items: &[String]) -> String {
    let mut x = format!(
        "<c:strRef><c:f>Sheet1!${col}$2:${col}${}</c:f><c:strCache><c:ptCount val=\"{}\"/>",
        items.len() + 1,
        items.len()
    );
    for (i, s) in items.iter().enumerate() {
        let _ = write!(x, "<c:pt idx=\"{i}\"><c:v>{}</c:v></c:pt>", escape(s));
    }
    x + "</c:strCache></c:strRef>"
}

fn num_cache(col: char, format: &str, values: &[Option<String>]) -> String {
    let mut x = format!(
        "<c:numRef><c:f>Sheet1!${col}$2:${col}${}</c:f><c:numCache><c:formatCode>{format}</c:formatCode><c:ptCount val=\"{}\"/>",
        values.len() + 1,
        values.len()
    );
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(x, "<c:pt idx=\"{i}\"><c:v>{v}</c:v></c:pt>");
        }
    }
    x + "</c:numCache></c:numRef>"
}

fn series_name(col: char, name: &str) -> String {
    format!(
        "<c:tx><c:strRef><c:f>Sheet1!${col}$1</c:f><c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>{}</c:v></c:pt></c:strCache></c:strRef></c:tx>",
        escape(name)
    )
}

fn fill(color: &str) -> String {
    format!("<c:spPr><a:solidFill><a:srgbClr val=\"{color}\"/></a:solidFill></c:spPr>")
}

/// Labels written as text, one per point (`None`: no label for that point).
fn text_labels(labels: &[Option<String>], size: u32, show_val: bool) -> String {
    let mut x = String::from("<c:dLbls>");
    for (i, l) in labels.iter().enumerate() {
        match l {
            Some(t) => {
                let _ = write!(
                    x,
                    "<c:dLbl><c:idx val=\"{i}\"/><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"{size}\"/></a:pPr>\
                     <a:r><a:rPr lang=\"vi-VN\" sz=\"{size}\"/><a:t>{}</a:t></a:r></a:p></c:rich></c:tx><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>\
                     <c:showLegendKey val=\"0\"/><c:showVal val=\"1\"/><c:showCatName val=\"0\"/><c:showSerName val=\"0\"/>\
                     <c:showPercent val=\"0\"/><c:showBubbleSize val=\"0\"/></c:dLbl>",
                    escape(t)
                );
            }
            None => {
                let _ = write!(x, "<c:dLbl><c:idx val=\"{i}\"/><c:delete val=\"1\"/></c:dLbl>");
            }
        }
    }
    let _ = write!(
        x,
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{}<c:showLegendKey val=\"0\"/><c:showVal val=\"{}\"/>\
         <c:showCatName val=\"0\"/><c:showSerName val=\"0\"/><c:showPercent val=\"0\"/><c:showBubbleSize val=\"0\"/></c:dLbls>",
        text_props(size),
        u8::from(show_val)
    );
    x
}

/// The chart's data as a workbook: Sheet1, categories in A2…, series names in row 1.
fn workbook(categories: &[String], series: &[(String, Vec<Option<Decimal>>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let props = rust_xlsxwriter::DocProperties::new()
        .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).expect("a valid date"));
    wb.set_properties(&props);
    let ws = wb.add_worksheet();
    let mut write = || -> Result<(), rust_xlsxwriter::XlsxError> {
        ws.set_name("Sheet1")?;
        for (r, c) in categories.iter().enumerate() {
            ws.write_string(r as u32 + 1, 0, c)?;
        }
        for (k, (name, values)) in series.iter().enumerate() {
            let col = k as u16 + 1;
            ws.write_string(0, col, name)?;
            for (r, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    ws.write_number(r as u32 + 1, col, v.to_f64().unwrap_or(0.0))?;
                }
            }
        }
        ws.set_column_width(0, 36)?;
        Ok(())
    };
    // Nothing here can fail (fixed sheet name, short strings); without a workbook the
    // chart still shows its cached values.
    if write().is_err() {
        return Vec::new();
    }
    wb.save_to_buffer().unwrap_or_default()
}

const EXTERNAL_DATA: &str = "<c:externalData r:id=\"rIdData\"><c:autoUpdate val=\"0\"/></c:externalData>";

/// The chart part and its data workbook.
pub fn chart(chart: &Chart) -> (String, Vec<u8>) {
    let data = match chart {
        Chart::Bar { categories, series, .. } => {
            workbook(categories, &series.iter().map(|s| (s.name.clone(), s.values.clone())).collect::<Vec<_>>())
        }
        Chart::Pie { categories, values } => {
            workbook(categories, &[("Số đơn vị".into(), values.iter().map(|v| Some(Decimal::from(*v))).collect())])
        }
        Chart::Range { categories, low, high, .. } => workbook(
            categories,
            &[
                ("Từ".into(), low.iter().map(|l| Some(Decimal::from(l.saturating_sub(1)))).collect()),
                (
                    "Khoảng thứ hạng".into(),
                    low.iter().zip(high).map(|(l, h)| Some(Decimal::from(h - l.saturating_sub(1)))).collect(),
                ),
            ],
        ),
    };
    (chart_xml(chart), data)
}

fn chart_xml(chart: &Chart) -> String {
    let plot = match chart {
        Chart::Bar { categories, series, decimals, max } => bar(categories, series, *decimals, *max),
        Chart::Pie { categories, values } => pie(categories, values),
        Chart::Range { categories, low, high, value } => range(categories, low, high, value),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" \
         xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <c:lang val=\"vi-VN\"/><c:roundedCorners val=\"0\"/><c:chart><c:autoTitleDeleted val=\"1\"/>{plot}\
         <c:plotVisOnly val=\"1\"/><c:dispBlanksAs val=\"gap\"/></c:chart>{}{EXTERNAL_DATA}</c:chartSpace>",
        text_props(1000)
    )
}

fn bar(categories: &[String], series: &[Series], decimals: u32, max: rust_decimal::Decimal) -> String {
    let format = if decimals == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(decimals as usize)) };
    let mut x = String::from(
        "<c:plotArea><c:layout/><c:barChart><c:barDir val=\"bar\"/><c:grouping val=\"clustered\"/><c:varyColors val=\"0\"/>",
    );
    for (i, s) in series.iter().enumerate() {
        let col = (b'B' + i as u8) as char;
        let values: Vec<Option<String>> = s.values.iter().map(|v| v.map(|v| v.normalize().to_string())).collect();
        // The first series (this year) carries its values as text labels, with a decimal comma.
        let labels: Vec<Option<String>> =
            s.values.iter().map(|v| v.filter(|_| i == 0).map(|v| vi::number(v, decimals))).collect();
        let _ = write!(
            x,
            "<c:ser><c:idx val=\"{i}\"/><c:order val=\"{i}\"/>{}{}<c:invertIfNegative val=\"0\"/>{}\
             <c:cat>{}</c:cat><c:val>{}</c:val></c:ser>",
            series_name(col, &s.name),
            fill(PALETTE[i % PALETTE.len()]),
            text_labels(&labels, 700, i == 0),
            str_cache('A', categories),
            num_cache(col, &format, &values)
        );
    }
    let _ = write!(
        x,
        "<c:gapWidth val=\"60\"/><c:axId val=\"500001\"/><c:axId val=\"500002\"/></c:barChart>\
         <c:catAx><c:axId val=\"500001\"/><c:scaling><c:orientation val=\"maxMin\"/></c:scaling><c:delete val=\"0\"/>\
         <c:axPos val=\"l\"/><c:numFmt formatCode=\"General\" sourceLinked=\"0\"/><c:majorTickMark val=\"none\"/><c:minorTickMark val=\"none\"/>\
         <c:tickLblPos val=\"nextTo\"/>{}<c:crossAx val=\"500002\"/><c:crosses val=\"autoZero\"/><c:auto val=\"1\"/><c:lblAlgn val=\"ctr\"/>\
         <c:lblOffset val=\"100\"/><c:noMultiLvlLbl val=\"0\"/></c:catAx>\
         <c:valAx><c:axId val=\"500002\"/><c:scaling><c:orientation val=\"minMax\"/><c:max val=\"{}\"/><c:min val=\"0\"/></c:scaling>\
         <c:delete val=\"0\"/><c:axPos val=\"t\"/><c:majorGridlines/><c:numFmt formatCode=\"0\" sourceLinked=\"0\"/>\
         <c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/>{}<c:crossAx val=\"500001\"/>\
         <c:crosses val=\"max\"/><c:crossBetween val=\"between\"/></c:valAx></c:plotArea>\
         <c:legend><c:legendPos val=\"b\"/><c:overlay val=\"0\"/>{}</c:legend>",
        text_props(800),
        max.normalize(),
        text_props(800),
        text_props(900)
    );
    x
}

fn pie(categories: &[String], values: &[u32]) -> String {
    let mut points = String::new();
    for i in 0..categories.len() {
        let _ = write!(
            points,
            "<c:dPt><c:idx val=\"{i}\"/><c:bubble3D val=\"0\"/>{}</c:dPt>",
            fill(PALETTE[i % PALETTE.len()])
        );
    }
    let vals: Vec<Option<String>> = values.iter().map(|v| Some(v.to_string())).collect();
    // "05 (25,0%)": the count and its share, with a decimal comma.
    let sum: u32 = values.iter().sum::<u32>().max(1);
    let labels: Vec<Option<String>> = values
        .iter()
        .map(|v| {
            let share = (Decimal::from(*v) * Decimal::from(100) / Decimal::from(sum)).round_dp(1);
            Some(format!("{} ({}%)", vi::count(*v as usize), vi::number(share, 1)))
        })
        .collect();
    format!(
        "<c:plotArea><c:layout/><c:pieChart><c:varyColors val=\"1\"/><c:ser><c:idx val=\"0\"/><c:order val=\"0\"/>{}{points}\
         {}<c:cat>{}</c:cat><c:val>{}</c:val></c:ser>\
         <c:firstSliceAng val=\"0\"/></c:pieChart></c:plotArea><c:legend><c:legendPos val=\"r\"/><c:overlay val=\"0\"/>{}</c:legend>",
        series_name('B', "Số đơn vị"),
        text_labels(&labels, 1000, true),
        str_cache('A', categories),
        num_cache('B', "0", &vals),
        text_props(1000)
    )
}

/// A floating bar per category: an invisible bar up to the low end, a visible one to the
/// high end (stacked). The rank itself is in the table that follows the chart.
fn range(categories: &[String], low: &[u32], high: &[u32], value: &[u32]) -> String {
    let base: Vec<Option<String>> = low.iter().map(|l| Some(l.saturating_sub(1).to_string())).collect();
    let span: Vec<Option<String>> =
        low.iter().zip(high).map(|(l, h)| Some((h - l.saturating_sub(1)).to_string())).collect();
    let top = high.iter().copied().max().unwrap_or(1);
    let _ = value;
    let mut x = String::from(
        "<c:plotArea><c:layout/><c:barChart><c:barDir val=\"bar\"/><c:grouping val=\"stacked\"/><c:varyColors val=\"0\"/>",
    );
    let _ = write!(
        x,
        "<c:ser><c:idx val=\"0\"/><c:order val=\"0\"/>{}<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr><c:invertIfNegative val=\"0\"/>\
         <c:cat>{}</c:cat><c:val>{}</c:val></c:ser>",
        series_name('B', "Từ"),
        str_cache('A', categories),
        num_cache('B', "0", &base)
    );
    let _ = write!(
        x,
        "<c:ser><c:idx val=\"1\"/><c:order val=\"1\"/>{}{}<c:invertIfNegative val=\"0\"/><c:cat>{}</c:cat><c:val>{}</c:val></c:ser>",
        series_name('C', "Khoảng thứ hạng 5–95%"),
        fill(PALETTE[0]),
        str_cache('A', categories),
        num_cache('C', "0", &span)
    );
    let _ = write!(
        x,
        "<c:gapWidth val=\"50\"/><c:overlap val=\"100\"/><c:axId val=\"500011\"/><c:axId val=\"500012\"/></c:barChart>\
         <c:catAx><c:axId val=\"500011\"/><c:scaling><c:orientation val=\"maxMin\"/></c:scaling><c:delete val=\"0\"/><c:axPos val=\"l\"/>\
         <c:numFmt formatCode=\"General\" sourceLinked=\"0\"/><c:majorTickMark val=\"none\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/>{}\
         <c:crossAx val=\"500012\"/><c:crosses val=\"autoZero\"/><c:auto val=\"1\"/><c:lblAlgn val=\"ctr\"/><c:lblOffset val=\"100\"/><c:noMultiLvlLbl val=\"0\"/></c:catAx>\
         <c:valAx><c:axId val=\"500012\"/><c:scaling><c:orientation val=\"minMax\"/><c:max val=\"{top}\"/><c:min val=\"0\"/></c:scaling><c:delete val=\"0\"/>\
         <c:axPos val=\"t\"/><c:majorGridlines/><c:numFmt formatCode=\"0\" sourceLinked=\"0\"/><c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/>\
         <c:tickLblPos val=\"nextTo\"/>{}<c:crossAx val=\"500011\"/><c:crosses val=\"max\"/><c:crossBetween val=\"between\"/><c:majorUnit val=\"1\"/></c:valAx></c:plotArea>",
        text_props(800),
        text_props(800)
    );
    x
}
