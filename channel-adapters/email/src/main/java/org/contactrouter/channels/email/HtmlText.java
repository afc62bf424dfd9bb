package org.contactrouter.channels.email;

import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

/**
 * The text of an HTML mail as a person would read it: paragraphs, line breaks and list items kept, markup, styles
 * and scripts gone, entities decoded. Links whose text is not the address show it in parentheses.
 */
final class HtmlText {

    private static final Set<String> BLOCKS = Set.of("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
            "table", "tr", "blockquote", "pre", "section", "article", "header", "footer", "address", "hr", "dl",
            "dt", "dd", "form", "fieldset", "center");
    private static final Set<String> SKIPPED = Set.of("head", "style", "script", "title", "template", "noscript");

    private HtmlText() {
    }

    static String toText(String html) {
        Document doc = Jsoup.parse(html);
        StringBuilder out = new StringBuilder(html.length() / 2);
        doc.body().traverse(new Visitor(out));
        return tidy(out.toString());
    }

    private static final class Visitor implements NodeVisitor {
        private final StringBuilder out;
        private int skipped;
        private int pre;

        Visitor(StringBuilder out) {
            this.out = out;
        }

        @Override
        public void head(Node node, int depth) {
            if (node instanceof Element e) {
                String tag = e.normalName();
                if (SKIPPED.contains(tag)) {
                    skipped++;
                } else if (tag.equals("br")) {
                    out.append('\n');
                } else if (tag.equals("li")) {
                    newLine();
                    out.append("- ");
                } else if (tag.equals("td") || tag.equals("th")) {
                    if (e.elementSiblingIndex() > 0) {
                        out.append('\t');
                    }
                } else if (BLOCKS.contains(tag)) {
                    newLine();
                    if (tag.equals("pre")) {
                        pre++;
                    }
                }
            } else if (node instanceof TextNode t && skipped == 0) {
                if (pre > 0) {
                    out.append(t.getWholeText());
                } else {
                    String text = t.text();
                    if (!text.isBlank()) {
                        boolean lineStart = out.length() == 0 || out.charAt(out.length() - 1) == '\n';
                        out.append(lineStart ? text.stripLeading() : text);
                    } else if (out.length() > 0 && !Character.isWhitespace(out.charAt(out.length() - 1))) {
                        out.append(' ');
                    }
                }
            }
        }

        @Override
        public void tail(Node node, int depth) {
            if (node instanceof Element e) {
                String tag = e.normalName();
                if (SKIPPED.contains(tag)) {
                    skipped--;
                } else if (tag.equals("a") && skipped == 0) {
                    String href = e.attr("href");
                    String text = e.text().strip();
                    if (href.startsWith("http") && !href.equals(text) && !text.isEmpty() && !href.equals("http://" + text)
                            && !href.equals("https://" + text)) {
                        out.append(" (").append(href).append(')');
                    }
                } else if (BLOCKS.contains(tag) || tag.equals("li")) {
                    if (tag.equals("pre")) {
                        pre--;
                    }
                    newLine();
                    if (tag.equals("p") || tag.startsWith("h") && tag.length() == 2 || tag.equals("blockquote")) {
                        out.append('\n');
                    }
                }
            }
        }

        private void newLine() {
            int end = out.length();
            while (end > 0 && out.charAt(end - 1) == ' ') {
                end--;
            }
            out.setLength(end);
            if (end > 0 && out.charAt(end - 1) != '\n') {
                out.append('\n');
            }
        }
    }

    /** Trailing spaces off every line, at most one empty line in a row, none at the start or end. */
    private static String tidy(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int empty = 0;
        for (String line : text.split("\n", -1)) {
            String l = line.replace('\u00a0', ' ').stripTrailing();
            if (l.isBlank()) {
                empty++;
                continue;
            }
            if (sb.length() > 0) {
                sb.append(empty > 0 ? "\n\n" : "\n");
            }
            sb.append(l);
            empty = 0;
        }
        return sb.toString();
    }
}
