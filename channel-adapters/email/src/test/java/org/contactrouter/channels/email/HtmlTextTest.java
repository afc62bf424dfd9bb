package org.contactrouter.channels.email;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTextTest {

    @Test
    void keepsParagraphsBreaksListsAndLinkTargets() {
        String html = "<div>Hi,</div><div><br></div><div>see <a href=\"https://acme.test/o/1\">your order</a>"
                + " and <a href=\"https://acme.test\">https://acme.test</a>.</div><ol><li>one</li><li>two</li></ol>"
                + "<pre>  keep\n    spacing</pre><table><tr><td>a</td><td>b</td></tr></table>";
        assertThat(HtmlText.toText(html)).isEqualTo(
                "Hi,\n\nsee your order (https://acme.test/o/1) and https://acme.test.\n- one\n- two\n  keep\n    spacing\na\tb");
    }

    @Test
    void dropsStylesScriptsAndComments() {
        assertThat(HtmlText.toText("<style>.x{}</style><p>Only <!-- hidden -->this</p><script>var a;</script>"))
                .isEqualTo("Only this");
    }
}
