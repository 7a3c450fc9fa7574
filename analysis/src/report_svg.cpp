// A report's charts as inline SVG: horizontal bars, labels wrapped by an estimate of their width
// (SVG text does not wrap), every text escaped. Fonts are the page's (CSS), so that Japanese
// labels use the reader's system font.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "report_render.h"

namespace chosa::analysis {
namespace {

constexpr double kWidth = 720;
constexpr double kLabelWidth = 226;   // the category labels, right-aligned at kLabelWidth
constexpr double kBarsLeft = 240;
constexpr double kBarsWidth = 380;    // 100 %
constexpr double kFontSize = 12;
constexpr double kLineHeight = 15;
constexpr int kMaxLabelLines = 2;
constexpr size_t kMostGroupedSeries = 5;  // more groups than this: one stacked bar per group

const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                "#b07aa1", "#9c755f", "#ff9da7", "#edc948", "#bab0ac"};
constexpr const char* kTotalColour = "#52606d";
constexpr const char* kNoAnswerColour = "#cbd2d9";

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// Widths in ems, as a sans-serif font draws them: CJK and full-width characters one em, Latin
// about 0.6, half-width katakana half.
double EmWidth(uint32_t code_point) {
  if (code_point < 0x80) return code_point == ' ' ? 0.3 : 0.6;
  if (code_point >= 0xFF61 && code_point <= 0xFF9F) return 0.5;
  if (code_point < 0x1100) return 0.6;  // accented Latin, Greek, Cyrillic
  return 1.0;
}

// The UTF-8 sequence starting at text[i] and the code point it encodes.
size_t NextCodePoint(std::string_view text, size_t i, uint32_t* code_point) {
  const auto byte = static_cast<unsigned char>(text[i]);
  size_t length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
  length = std::min(length, text.size() - i);
  uint32_t value = length == 1 ? byte : byte & (0xFF >> (length + 1));
  for (size_t k = 1; k < length; ++k) value = (value << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  *code_point = value;
  return length;
}

double TextWidth(std::string_view text, double font_size) {
  double ems = 0;
  uint32_t code_point = 0;
  for (size_t i = 0; i < text.size();) {
    i += NextCodePoint(text, i, &code_point);
    ems += EmWidth(code_point);
  }
  return ems * font_size;
}

// `text` in lines of at most `width` pixels: broken at a space in Latin text, anywhere in CJK;
// past `max_lines`, the last line ends in an ellipsis.
std::vector<std::string> WrapLabel(std::string_view text, double width, double font_size, int max_lines) {
  std::vector<std::string> lines(1);
  double line_width = 0;
  size_t last_space = std::string::npos;  // in lines.back()
  uint32_t code_point = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t length = NextCodePoint(text, i, &code_point);
    const double w = EmWidth(code_point) * font_size;
    if (line_width + w > width && !lines.back().empty()) {
      if (static_cast<int>(lines.size()) == max_lines) {
        std::string& last = lines.back();
        while (!last.empty() && TextWidth(last, font_size) + font_size > width) {
          size_t cut = last.size() - 1;
          while (cut > 0 && (static_cast<unsigned char>(last[cut]) & 0xC0) == 0x80) --cut;
          last.erase(cut);
        }
        last += "…";
        return lines;
      }
      std::string carried;
      if (code_point != ' ' && last_space != std::string::npos && code_point < 0x80) {
        carried = lines.back().substr(last_space + 1);  // the word being cut moves down whole
        lines.back().erase(last_space);
      }
      lines.push_back(carried);
      line_width = TextWidth(carried, font_size);
      last_space = std::string::npos;
      if (code_point == ' ') {
        i += length;
        continue;
      }
    }
    if (code_point == ' ') last_space = lines.back().size();
    lines.back().append(text.substr(i, length));
    line_width += w;
    i += length;
  }
  return lines;
}

// Whether dark text reads better than white on `colour` ("#rrggbb").
bool IsLight(const char* colour) {
  const unsigned long rgb = std::strtoul(colour + 1, nullptr, 16);
  const double luminance = 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
  return luminance > 160;
}

// A label right-aligned before the bars, its lines centred on `centre_y`, with its full text
// as a tooltip when shortened.
void Label(std::string* svg, std::string_view text, double centre_y, const char* css_class = "label") {
  const std::vector<std::string> lines = WrapLabel(text, kLabelWidth, kFontSize, kMaxLabelLines);
  double y = centre_y - (static_cast<double>(lines.size()) - 1) * kLineHeight / 2 + kFontSize * 0.35;
  *svg += "<text class=\"" + std::string(css_class) + "\" x=\"" + Number(kLabelWidth) + "\" y=\"" + Number(y) +
          "\" text-anchor=\"end\">";
  *svg += "<title>" + EscapeMarkup(text) + "</title>";
  for (size_t k = 0; k < lines.size(); ++k) {
    *svg += "<tspan x=\"" + Number(kLabelWidth) + "\" y=\"" + Number(y + static_cast<double>(k) * kLineHeight) +
            "\">" + EscapeMarkup(lines[k]) + "</tspan>";
  }
  *svg += "</text>";
}

struct LegendEntry {
  std::string label;
  const char* colour;
};

// Swatches in rows across the chart; returns the height they take.
double Legend(std::string* svg, const std::vector<LegendEntry>& entries, double top) {
  if (entries.empty()) return 0;
  double x = kBarsLeft, y = top;
  for (const LegendEntry& entry : entries) {
    const std::string shown = WrapLabel(entry.label, 260, kFontSize, 1).front();
    const double width = 16 + TextWidth(shown, kFontSize) + 18;
    if (x + width > kWidth && x > kBarsLeft) {
      x = kBarsLeft;
      y += 18;
    }
    *svg += "<rect x=\"" + Number(x) + "\" y=\"" + Number(y + 2) + "\" width=\"11\" height=\"11\" rx=\"2\" fill=\"" +
            entry.colour + "\"/>";
    *svg += "<text x=\"" + Number(x + 16) + "\" y=\"" + Number(y + 12) + "\">" + EscapeMarkup(shown) + "</text>";
    x += width;
  }
  return y - top + 24;
}

// Vertical grid lines and their values under the bars, from `from` to `to` in `steps`.
void Axis(std::string* svg, double top, double bottom, double from, double to, int steps, const char* unit) {
  for (int k = 0; k <= steps; ++k) {
    const double value = from + (to - from) * k / steps;
    const double x = kBarsLeft + kBarsWidth * k / steps;
    *svg += "<line class=\"grid\" x1=\"" + Number(x) + "\" y1=\"" + Number(top) + "\" x2=\"" + Number(x) +
            "\" y2=\"" + Number(bottom) + "\"/>";
    char text[32];
    std::snprintf(text, sizeof text, "%g%s", value, unit);
    *svg += "<text class=\"tick\" x=\"" + Number(x) + "\" y=\"" + Number(bottom + 14) +
            "\" text-anchor=\"middle\">" + text + "</text>";
  }
}

std::string Open(double height, std::string_view title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " + Number(kWidth) + " " +
         Number(height) + "\" width=\"" + Number(kWidth) + "\" height=\"" + Number(height) +
         "\" role=\"img\" aria-label=\"" + EscapeMarkup(title) + "\">";
}

struct Series {
  std::string label;
  const char* colour;
  const ChoiceCounts* counts;
};

// Categories down the side, a bar per series in each: a choice question's percentages.
std::string GroupedBars(const ReportTable& table, const ReportWords& words, const std::vector<Series>& series) {
  bool any_no_answer = false;
  for (const Series& s : series) any_no_answer |= s.counts->no_answer > 0;
  const size_t rows = table.categories.size() + (any_no_answer ? 1 : 0);
  const double bar_height = series.size() == 1 ? 18 : 12;
  const double bars_height = static_cast<double>(series.size()) * (bar_height + 2) - 2;

  std::string body;
  double y = 8;
  if (series.size() > 1) {
    std::vector<LegendEntry> legend;
    for (const Series& s : series) legend.push_back({s.label, s.colour});
    y += Legend(&body, legend, y);
  }
  const double grid_top = y;
  for (size_t r = 0; r < rows; ++r) {
    const bool no_answer_row = r == table.categories.size();
    const std::string_view label = no_answer_row ? words.no_answer : std::string_view(table.categories[r].label);
    const double lines = static_cast<double>(WrapLabel(label, kLabelWidth, kFontSize, kMaxLabelLines).size());
    const double band = std::max(bars_height + 12, lines * kLineHeight + 10);
    Label(&body, label, y + band / 2, no_answer_row ? "label muted" : "label");
    double bar_y = y + (band - bars_height) / 2;
    for (const Series& s : series) {
      const int64_t count = no_answer_row ? s.counts->no_answer : s.counts->counts[r];
      const int64_t tenths = s.counts->n > 0 ? PercentTenths(count, s.counts->n) : 0;
      const double width = kBarsWidth * static_cast<double>(tenths) / 1000.0;
      body += "<rect x=\"" + Number(kBarsLeft) + "\" y=\"" + Number(bar_y) + "\" width=\"" + Number(width) +
              "\" height=\"" + Number(bar_height) + "\" fill=\"" + s.colour + "\"><title>" + EscapeMarkup(s.label) +
              ": " + FormatTenths(tenths) + "% (" + std::to_string(count) + "/" + std::to_string(s.counts->n) +
              ")</title></rect>";
      body += "<text class=\"value\" x=\"" + Number(kBarsLeft + width + 4) + "\" y=\"" +
              Number(bar_y + bar_height / 2 + 4) + "\">" + FormatTenths(tenths) + "%</text>";
      bar_y += bar_height + 2;
    }
    y += band;
  }
  std::string svg = Open(y + 24, table.title);
  Axis(&svg, grid_top, y, 0, 100, 4, "%");
  return svg + body + "</svg>";
}

struct StackedBar {
  std::string label;
  int64_t whole = 0;              // what the segments are percentages of
  std::vector<int64_t> segments;  // one per legend entry
};

// One bar per row, its segments the shares of the legend's entries: 100 % in all.
std::string StackedBars(const ReportTable& table, const std::vector<LegendEntry>& legend,
                        const std::vector<StackedBar>& bars) {
  std::string body;
  double y = 8;
  y += Legend(&body, legend, y);
  const double grid_top = y;
  constexpr double kBarHeight = 20;
  for (const StackedBar& bar : bars) {
    const double lines = static_cast<double>(WrapLabel(bar.label, kLabelWidth, kFontSize, kMaxLabelLines).size());
    const double band = std::max(kBarHeight + 12, lines * kLineHeight + 10);
    Label(&body, bar.label, y + band / 2);
    const double bar_y = y + (band - kBarHeight) / 2;
    double x = kBarsLeft;
    int64_t cumulative = 0;
    for (size_t k = 0; k < bar.segments.size() && bar.whole > 0; ++k) {
      // Segments end at the rounded cumulative share, so that they meet and end at 100 %.
      const int64_t start = PercentTenths(cumulative, bar.whole);
      cumulative += bar.segments[k];
      const int64_t end = PercentTenths(cumulative, bar.whole);
      const double width = kBarsWidth * static_cast<double>(end - start) / 1000.0;
      const int64_t tenths = PercentTenths(bar.segments[k], bar.whole);
      if (bar.segments[k] > 0) {
        body += "<rect x=\"" + Number(x) + "\" y=\"" + Number(bar_y) + "\" width=\"" + Number(width) +
                "\" height=\"" + Number(kBarHeight) + "\" fill=\"" + legend[k].colour + "\"><title>" +
                EscapeMarkup(bar.label) + " / " + EscapeMarkup(legend[k].label) + ": " + FormatTenths(tenths) +
                "% (" + std::to_string(bar.segments[k]) + "/" + std::to_string(bar.whole) + ")</title></rect>";
        const std::string text = FormatTenths(tenths) + "%";
        if (width >= TextWidth(text, 11) + 6) {
          body += std::string("<text class=\"inside") + (IsLight(legend[k].colour) ? "" : " on-dark") + "\" x=\"" +
                  Number(x + width / 2) + "\" y=\"" + Number(bar_y + kBarHeight / 2 + 4) +
                  "\" text-anchor=\"middle\">" + text + "</text>";
        }
      }
      x += width;
    }
    body += "<text class=\"value\" x=\"" + Number(kBarsLeft + kBarsWidth + 6) + "\" y=\"" +
            Number(bar_y + kBarHeight / 2 + 4) + "\">n=" + std::to_string(bar.whole) + "</text>";
    y += band;
  }
  std::string svg = Open(y + 24, table.title);
  Axis(&svg, grid_top, y, 0, 100, 4, "%");
  return svg + body + "</svg>";
}

// The smallest of 1, 2, 2.5, 5 and 10 times a power of ten that is at least `value` (> 0).
double NiceCeiling(double value) {
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (step * power >= value * (1 - 1e-12)) return step * power;
  }
  return 10 * power;
}

// A numeric question's means, a bar per group and one for everyone, from zero.
std::string MeanBars(const ReportTable& table, const ReportWords& words) {
  double low = 0, high = 0;
  for (const ReportColumn& column : table.columns) {
    if (!column.numbers.mean_tenths) continue;
    const double mean = static_cast<double>(*column.numbers.mean_tenths) / 10;
    low = std::min(low, mean);
    high = std::max(high, mean);
  }
  if (high > 0) high = NiceCeiling(high);
  if (low < 0) low = -NiceCeiling(-low);
  if (high == low) high = 1;
  const auto x_of = [&](double value) { return kBarsLeft + kBarsWidth * (value - low) / (high - low); };

  std::string body;
  double y = 8;
  body += "<text class=\"caption\" x=\"" + Number(kBarsLeft) + "\" y=\"" + Number(y + 12) + "\">" +
          EscapeMarkup(words.means_chart) + "</text>";
  y += 24;
  const double grid_top = y;
  constexpr double kBarHeight = 18;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const ReportColumn& column = table.columns[c];
    const double lines = static_cast<double>(WrapLabel(column.label, kLabelWidth, kFontSize, kMaxLabelLines).size());
    const double band = std::max(kBarHeight + 12, lines * kLineHeight + 10);
    Label(&body, column.label, y + band / 2, column.role == ReportColumn::Role::kGroup ? "label" : "label strong");
    const char* fill = column.role == ReportColumn::Role::kTotal      ? kTotalColour
                       : column.role == ReportColumn::Role::kNoAnswer ? kNoAnswerColour
                                                                      : kPalette[c % std::size(kPalette)];
    const double bar_y = y + (band - kBarHeight) / 2;
    std::string value = "—";
    if (column.numbers.mean_tenths) {
      const double mean = static_cast<double>(*column.numbers.mean_tenths) / 10;
      const double x0 = x_of(std::min(0.0, mean)), x1 = x_of(std::max(0.0, mean));
      value = FormatTenths(*column.numbers.mean_tenths);
      body += "<rect x=\"" + Number(x0) + "\" y=\"" + Number(bar_y) + "\" width=\"" + Number(x1 - x0) +
              "\" height=\"" + Number(kBarHeight) + "\" fill=\"" + fill + "\"><title>" + EscapeMarkup(column.label) +
              ": " + value + "</title></rect>";
    }
    body += "<text class=\"value\" x=\"" + Number(x_of(std::max(0.0, high > 0 ? high : 0.0)) + 6) + "\" y=\"" +
            Number(bar_y + kBarHeight / 2 + 4) + "\">" + value + " (n=" +
            std::to_string(column.numbers.answered()) + ")</text>";
    y += band;
  }
  std::string svg = Open(y + 24, table.title);
  Axis(&svg, grid_top, y, low, high, 4, "");
  return svg + body + "</svg>";
}

}  // namespace

std::string RenderChart(const ReportTable& table, const ReportWords& words) {
  if (table.kind == ReportTableKind::kNumbers) return MeanBars(table, words);

  if (table.kind == ReportTableKind::kCross) {
    // A bar per row category (and the total), split by the column question's categories.
    std::vector<LegendEntry> legend;
    size_t colour = 0;
    for (const ReportColumn& column : table.columns) {
      if (column.role == ReportColumn::Role::kTotal) continue;
      legend.push_back({column.label, column.role == ReportColumn::Role::kNoAnswer
                                          ? kNoAnswerColour
                                          : kPalette[colour++ % std::size(kPalette)]});
    }
    const ReportColumn& total = table.columns.back();
    std::vector<StackedBar> bars;
    for (size_t r = 0; r <= table.categories.size(); ++r) {
      const bool no_answer_row = r == table.categories.size();
      if (no_answer_row && total.choices.no_answer == 0) break;
      StackedBar bar;
      bar.label = no_answer_row ? std::string(words.no_answer) : table.categories[r].label;
      for (size_t c = 0; c + 1 < table.columns.size(); ++c) {
        const ChoiceCounts& counts = table.columns[c].choices;
        bar.segments.push_back(no_answer_row ? counts.no_answer : counts.counts[r]);
      }
      bar.whole = no_answer_row ? total.choices.no_answer : total.choices.counts[r];
      bars.push_back(std::move(bar));
    }
    StackedBar all;
    all.label = std::string(words.total);
    for (size_t c = 0; c + 1 < table.columns.size(); ++c) all.segments.push_back(table.columns[c].choices.n);
    all.whole = total.choices.n;
    bars.push_back(std::move(all));
    return StackedBars(table, legend, bars);
  }

  if (table.kind == ReportTableKind::kChoices && table.columns.size() > kMostGroupedSeries) {
    // Many groups: a bar per group, split by the question's categories.
    std::vector<LegendEntry> legend;
    for (size_t k = 0; k < table.categories.size(); ++k) {
      legend.push_back({table.categories[k].label, kPalette[k % std::size(kPalette)]});
    }
    legend.push_back({std::string(words.no_answer), kNoAnswerColour});
    std::vector<StackedBar> bars;
    for (const ReportColumn& column : table.columns) {
      StackedBar bar;
      bar.label = column.label;
      bar.segments = column.choices.counts;
      bar.segments.push_back(column.choices.no_answer);
      bar.whole = column.choices.n;
      bars.push_back(std::move(bar));
    }
    return StackedBars(table, legend, bars);
  }

  // A group keeps its colour in every chart, whichever groups have no bars here.
  std::vector<Series> series;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const ReportColumn& column = table.columns[c];
    if (column.choices.n == 0) continue;  // no bars out of nothing
    const char* fill = column.role == ReportColumn::Role::kTotal
                           ? (table.columns.size() == 1 ? kPalette[0] : kTotalColour)
                       : column.role == ReportColumn::Role::kNoAnswer ? kNoAnswerColour
                                                                      : kPalette[c % std::size(kPalette)];
    series.push_back({column.label, fill, &column.choices});
  }
  if (series.empty()) series.push_back({table.columns.back().label, kPalette[0], &table.columns.back().choices});
  return GroupedBars(table, words, series);
}

}  // namespace chosa::analysis
