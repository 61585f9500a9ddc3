//! Native Word charts (DrawingML): editable in Word, rendered by LibreOffice for the PDF.
//! Values are cached in the chart part itself; there is no embedded workbook.

use crate::docx::escape;
use crate::model::{Chart, Series};
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

pub fn chart(chart: &Chart) -> String {
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
         <c:plotVisOnly val=\"1\"/><c:dispBlanksAs val=\"gap\"/></c:chart>{}</c:chartSpace>",
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
        let _ = write!(
            x,
            "<c:ser><c:idx val=\"{i}\"/><c:order val=\"{i}\"/>{}{}<c:invertIfNegative val=\"0\"/>\
             <c:dLbls><c:numFmt formatCode=\"{format}\" sourceLinked=\"0\"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{}\
             <c:showLegendKey val=\"0\"/><c:showVal val=\"{}\"/><c:showCatName val=\"0\"/><c:showSerName val=\"0\"/><c:showPercent val=\"0\"/>\
             <c:showBubbleSize val=\"0\"/></c:dLbls><c:cat>{}</c:cat><c:val>{}</c:val></c:ser>",
            series_name(col, &s.name),
            fill(PALETTE[i % PALETTE.len()]),
            text_props(700),
            u8::from(i == 0),
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
    format!(
        "<c:plotArea><c:layout/><c:pieChart><c:varyColors val=\"1\"/><c:ser><c:idx val=\"0\"/><c:order val=\"0\"/>{}{points}\
         <c:dLbls><c:numFmt formatCode=\"0.0%\" sourceLinked=\"0\"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{}\
         <c:showLegendKey val=\"0\"/><c:showVal val=\"0\"/><c:showCatName val=\"0\"/><c:showSerName val=\"0\"/><c:showPercent val=\"1\"/>\
         <c:showBubbleSize val=\"0\"/><c:showLeaderLines val=\"1\"/></c:dLbls><c:cat>{}</c:cat><c:val>{}</c:val></c:ser>\
         <c:firstSliceAng val=\"0\"/></c:pieChart></c:plotArea><c:legend><c:legendPos val=\"r\"/><c:overlay val=\"0\"/>{}</c:legend>",
        series_name('B', "Số đơn vị"),
        text_props(1000),
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
