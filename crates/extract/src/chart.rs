//! Text of DrawingML charts (`c:chartSpace`, and the newer `cx:chartSpace` of Office 2016
//! charts): titles, axis titles, series names, category labels and hand-written data labels.
//! The values come from the caches the chart part keeps of its source cells, which is what
//! the chart shows; the formulas pointing at those cells are not text.

use crate::numfmt;
use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Limits};

/// What the text under the cursor belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Rich text of a title or data label (`a:t`).
    Rich,
    /// A series name (`c:tx` of `c:ser`).
    SeriesName,
    /// Category labels (`c:cat`, `c:xVal`, `cx:strDim`).
    Categories,
}

/// The chart's visible text, a line per title or series name and a line of tab-separated
/// category labels per distinct category list.
pub(crate) fn chart_text(xml_text: &str, part: &str, limits: &Limits) -> Result<String, Error> {
    let mut sink = TextSink::new(limits.max_text_chars);
    let mut context: Vec<(usize, Context)> = Vec::new();
    let mut depth = 0usize;
    let mut in_value = false;
    let mut value = String::new();
    let mut format_code = String::new();
    let mut in_format = false;
    let mut date1904 = false;
    let mut categories: Vec<String> = Vec::new();
    let mut seen_categories: Vec<Vec<String>> = Vec::new();
    let mut date_categories = false;
    xml::walk(xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => {
                if !empty {
                    depth += 1;
                }
                match name {
                    // Cell references, number formats of values and styling hold no text
                    // a reader sees.
                    "f" | "val" | "yVal" | "bubbleSize" | "extLst" | "spPr" | "txPr" | "numDim"
                    | "externalData" | "userShapes" | "printSettings" => {
                        return Flow::SkipChildren;
                    }
                    "date1904" => {
                        date1904 =
                            xml::attr(element, "val").is_some_and(|v| v == "1" || v == "true")
                    }
                    _ => {}
                }
                if empty {
                    return Flow::Continue;
                }
                match name {
                    "rich" | "txData" => context.push((depth, Context::Rich)),
                    "tx" if context.is_empty() => context.push((depth, Context::SeriesName)),
                    "cat" | "xVal" | "strDim" => {
                        categories.clear();
                        date_categories = false;
                        context.push((depth, Context::Categories));
                    }
                    "formatCode" => {
                        in_format = true;
                        format_code.clear();
                    }
                    "v" | "t" | "pt" => {
                        in_value = true;
                        value.clear();
                    }
                    _ => {}
                }
            }
            Node::Text(t) if in_format => format_code.push_str(t),
            Node::Text(t) if in_value => value.push_str(t),
            Node::Text(_) => {}
            Node::Close { name } => {
                match name {
                    "formatCode" => {
                        in_format = false;
                        date_categories = numfmt::is_date_format(&format_code);
                    }
                    "v" | "t" | "pt" if in_value => {
                        in_value = false;
                        let text = std::mem::take(&mut value);
                        match context.last().map(|c| c.1) {
                            Some(Context::Rich) => sink.push(&text),
                            Some(Context::SeriesName) => {
                                sink.end_line();
                                sink.push(text.trim());
                                sink.end_line();
                            }
                            Some(Context::Categories) => {
                                let shown = match text.trim().parse::<f64>() {
                                    Ok(n) if date_categories => {
                                        numfmt::format(n, &format_code, date1904)
                                    }
                                    Ok(n) => numfmt::general(n),
                                    Err(_) => text.trim().to_string(),
                                };
                                categories.push(shown);
                            }
                            None => {}
                        }
                    }
                    "p" if context.last().is_some_and(|c| c.1 == Context::Rich) => sink.end_line(),
                    _ => {}
                }
                if context.last().is_some_and(|c| c.0 == depth) {
                    if let Some((_, Context::Categories)) = context.pop() {
                        let list = std::mem::take(&mut categories);
                        if list.iter().any(|c| !c.is_empty()) && !seen_categories.contains(&list) {
                            sink.end_line();
                            sink.push(&list.join("\t"));
                            sink.end_line();
                            seen_categories.push(list);
                        }
                    } else {
                        sink.end_line();
                    }
                }
                depth = depth.saturating_sub(1);
            }
        }
        Flow::Continue
    })?;
    Ok(sink.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(xml: &str) -> String {
        chart_text(xml, "ppt/charts/chart1.xml", &Limits::default()).unwrap_or_default()
    }

    #[test]
    fn title_series_and_categories_from_caches() {
        let xml = r#"<c:chartSpace xmlns:c="c" xmlns:a="a"><c:chart>
            <c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>Asiakaspalaute </a:t></a:r><a:r><a:t>2017</a:t></a:r></a:p></c:rich></c:tx></c:title>
            <c:plotArea><c:barChart>
              <c:ser><c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:pt idx="0"><c:v>Espoo</c:v></c:pt></c:strCache></c:strRef></c:tx>
                <c:cat><c:strRef><c:f>Sheet1!$A$2:$A$3</c:f><c:strCache><c:pt idx="0"><c:v>Tyytyväinen</c:v></c:pt><c:pt idx="1"><c:v>Tyytymätön</c:v></c:pt></c:strCache></c:strRef></c:cat>
                <c:val><c:numRef><c:f>Sheet1!$B$2:$B$3</c:f><c:numCache><c:pt idx="0"><c:v>12</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser>
              <c:ser><c:tx><c:v>Vantaa</c:v></c:tx>
                <c:cat><c:strRef><c:strCache><c:pt idx="0"><c:v>Tyytyväinen</c:v></c:pt><c:pt idx="1"><c:v>Tyytymätön</c:v></c:pt></c:strCache></c:strRef></c:cat></c:ser>
            </c:barChart>
            <c:valAx><c:title><c:tx><c:rich><a:p><a:r><a:t>Vastauksia</a:t></a:r></a:p></c:rich></c:tx></c:title></c:valAx>
            </c:plotArea></c:chart></c:chartSpace>"#;
        assert_eq!(
            text(xml),
            "Asiakaspalaute 2017\nEspoo\nTyytyväinen\tTyytymätön\nVantaa\nVastauksia"
        );
    }

    #[test]
    fn date_categories_are_formatted() {
        let xml = r#"<c:chartSpace><c:chart><c:plotArea><c:lineChart><c:ser>
            <c:cat><c:numRef><c:f>A2:A3</c:f><c:numCache><c:formatCode>d.m.yyyy</c:formatCode>
            <c:pt idx="0"><c:v>42750</c:v></c:pt><c:pt idx="1"><c:v>42751</c:v></c:pt></c:numCache></c:numRef></c:cat>
            </c:ser></c:lineChart></c:plotArea></c:chart></c:chartSpace>"#;
        assert_eq!(text(xml), "15.1.2017\t16.1.2017");
    }

    #[test]
    fn office_2016_chart_text() {
        let xml = r#"<cx:chartSpace><cx:chartData><cx:data id="0">
            <cx:strDim type="cat"><cx:f>Sheet1!$A$2:$A$3</cx:f><cx:lvl ptCount="2"><cx:pt idx="0">Alku</cx:pt><cx:pt idx="1">Loppu</cx:pt></cx:lvl></cx:strDim>
            <cx:numDim type="val"><cx:lvl><cx:pt idx="0">5</cx:pt></cx:lvl></cx:numDim></cx:data></cx:chartData>
            <cx:chart><cx:title><cx:tx><cx:txData><cx:v>Vesiputous</cx:v></cx:txData></cx:tx></cx:title></cx:chart></cx:chartSpace>"#;
        assert_eq!(text(xml), "Alku\tLoppu\nVesiputous");
    }
}
