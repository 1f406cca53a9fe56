package org.chexnet.evaluation;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A report as headings, paragraphs, tables and images, rendered both as Markdown (images linked)
 * and as one self-contained HTML page (images embedded), so the two never drift apart.
 */
public final class ReportDocument {

  private sealed interface Block permits Heading, Paragraph, Table, Image {}

  private record Heading(int level, String text) implements Block {}

  private record Paragraph(String text) implements Block {}

  /** The first column is left-aligned, the others right-aligned (numbers). */
  private record Table(List<String> header, List<List<String>> rows) implements Block {}

  private record Image(String alt, String fileName, byte[] png) implements Block {}

  private final String title;
  private final List<Block> blocks = new ArrayList<>();

  public ReportDocument(String title) {
    this.title = title;
  }

  public ReportDocument heading(String text) {
    blocks.add(new Heading(2, text));
    return this;
  }

  /** A heading under the last {@link #heading}. */
  public ReportDocument subheading(String text) {
    blocks.add(new Heading(3, text));
    return this;
  }

  public ReportDocument paragraph(String text) {
    blocks.add(new Paragraph(text));
    return this;
  }

  public ReportDocument table(List<String> header, List<List<String>> rows) {
    blocks.add(new Table(List.copyOf(header), List.copyOf(rows)));
    return this;
  }

  public ReportDocument image(String alt, String fileName, byte[] png) {
    blocks.add(new Image(alt, fileName, png));
    return this;
  }

  public String markdown() {
    StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
    for (Block block : blocks) {
      if (block instanceof Heading h) {
        md.append("#".repeat(h.level())).append(' ').append(h.text());
      } else if (block instanceof Paragraph p) {
        md.append(p.text());
      } else if (block instanceof Table t) {
        md.append("| ").append(String.join(" | ", t.header())).append(" |\n|---");
        md.append("|---:".repeat(t.header().size() - 1)).append("|");
        t.rows().forEach(row -> md.append("\n| ").append(String.join(" | ", row)).append(" |"));
      } else if (block instanceof Image i) {
        md.append("![").append(i.alt()).append("](").append(i.fileName()).append(')');
      }
      md.append("\n\n");
    }
    return md.toString();
  }

  public String html() {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(escape(title))
        .append("</title>\n<style>\n")
        .append(
            "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:80em;color:#222}\n")
        .append("table{border-collapse:collapse;margin:1em 0;font-size:0.9em}\n")
        .append("th,td{border:1px solid #ccc;padding:0.25em 0.6em}td{text-align:right}\n")
        .append("td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}\n")
        .append("img{max-width:100%}\n")
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(escape(title))
        .append("</h1>\n");
    for (Block block : blocks) {
      if (block instanceof Heading h) {
        html.append("<h")
            .append(h.level())
            .append('>')
            .append(escape(h.text()))
            .append("</h")
            .append(h.level())
            .append(">\n");
      } else if (block instanceof Paragraph p) {
        html.append("<p>").append(inline(p.text())).append("</p>\n");
      } else if (block instanceof Table t) {
        html.append("<table>\n<tr>");
        t.header().forEach(cell -> html.append("<th>").append(escape(cell)).append("</th>"));
        html.append("</tr>\n");
        for (List<String> row : t.rows()) {
          html.append("<tr>");
          row.forEach(cell -> html.append("<td>").append(inline(cell)).append("</td>"));
          html.append("</tr>\n");
        }
        html.append("</table>\n");
      } else if (block instanceof Image i) {
        html.append("<p><img alt=\"")
            .append(escape(i.alt()))
            .append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(i.png()))
            .append("\"></p>\n");
      }
    }
    return html.append("</body>\n</html>\n").toString();
  }

  /** Markdown's **bold** and line breaks ("- " items on their own lines) as HTML. */
  private static String inline(String text) {
    String escaped = escape(text).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>");
    return escaped.replace("\n", "<br>\n");
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
