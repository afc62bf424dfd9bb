package org.contactrouter.channels.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.contactrouter.channels.twilio.Harness.ACCOUNT_SID;
import static org.contactrouter.channels.twilio.Harness.CUSTOMER;
import static org.contactrouter.channels.twilio.Harness.NOW;
import static org.contactrouter.channels.twilio.Harness.OUR_NUMBER;
import static org.contactrouter.channels.twilio.Harness.form;
import static org.contactrouter.channels.twilio.Harness.twiml;
import static org.contactrouter.channels.twilio.Harness.verbs;

import java.io.IOException;
import java.net.http.HttpResponse;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.DeliveryReport;
import org.contactrouter.events.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Inbound SMS and WhatsApp messages, and the status callbacks of the messages we send. */
class MessageWebhookTest {

    private Harness h;

    @BeforeEach
    void start() throws IOException {
        h = new Harness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void anSmsBecomesACustomerMessageThreadedByCustomerAndOurNumber() {
        HttpResponse<String> first = h.twilioPosts("/twilio/sms", form("MessageSid", "SM1", "AccountSid", ACCOUNT_SID,
                "From", CUSTOMER, "To", OUR_NUMBER, "Body", "My router is offline.", "NumMedia", "0"));
        h.twilioPosts("/twilio/sms", form("MessageSid", "SM2", "AccountSid", ACCOUNT_SID,
                "From", CUSTOMER, "To", OUR_NUMBER, "Body", "Still offline.", "NumMedia", "0"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(verbs(twiml(first.body()))).as("the acknowledgement is sent by send(), not in the webhook").isEmpty();
        ContactEvent event = h.publisher.events().get(0);
        assertThat(event.id()).isEqualTo("twilio:SM1");
        assertThat(event.source()).isEqualTo("/twilio/sms");
        assertThat(event.domain()).isEqualTo("support");
        assertThat(event.time()).isEqualTo(NOW);
        CustomerMessage sms = (CustomerMessage) event.data();
        assertThat(sms.channel()).isEqualTo(Channel.SMS);
        assertThat(sms.conversation()).isEqualTo(CUSTOMER + "/" + OUR_NUMBER);
        assertThat(sms.customer().identities()).containsExactly(Identity.phone(CUSTOMER));
        assertThat(sms.endpoint()).isEqualTo(OUR_NUMBER);
        assertThat(sms.text()).isEqualTo("My router is offline.");
        CustomerMessage next = (CustomerMessage) h.publisher.events().get(1).data();
        assertThat(next.conversation()).isEqualTo(sms.conversation());
    }

    @Test
    void theSameCustomerWritingToAnotherOfOurNumbersIsAnotherConversation() {
        h.twilioPosts("/twilio/sms", form("MessageSid", "SM1", "From", CUSTOMER, "To", OUR_NUMBER, "Body", "a"));
        h.twilioPosts("/twilio/sms", form("MessageSid", "SM2", "From", CUSTOMER, "To", "+4930901899", "Body", "b"));

        assertThat(h.publisher.events()).extracting(e -> ((CustomerMessage) e.data()).conversation())
                .containsExactly(CUSTOMER + "/" + OUR_NUMBER, CUSTOMER + "/+4930901899");
        assertThat(h.publisher.events().get(1).domain()).isEqualTo("default");
    }

    @Test
    void aWhatsAppMessageWithMediaAndTheSenderName() {
        HttpResponse<String> response = h.twilioPosts("/twilio/sms", form("MessageSid", "SM3", "AccountSid", ACCOUNT_SID,
                "From", "whatsapp:" + CUSTOMER, "To", "whatsapp:+4930901899", "Body", "This is the error:",
                "ProfileName", "Anna", "WaId", "4917012345678", "NumMedia", "2",
                "MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/SM3/Media/ME1",
                "MediaContentType0", "image/jpeg",
                "MediaUrl1", "https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/SM3/Media/ME2",
                "MediaContentType1", "application/pdf"));

        assertThat(response.statusCode()).isEqualTo(200);
        ContactEvent event = h.publisher.only();
        assertThat(event.source()).isEqualTo("/twilio/whatsapp");
        assertThat(event.domain()).isEqualTo("shop");
        assertThat(event.subject()).isEqualTo("whatsapp:" + CUSTOMER + "/+4930901899");
        CustomerMessage message = (CustomerMessage) event.data();
        assertThat(message.channel()).isEqualTo(Channel.WHATSAPP);
        assertThat(message.customer().name()).isEqualTo("Anna");
        assertThat(message.customer().identities()).containsExactly(Identity.phone(CUSTOMER));
        assertThat(message.endpoint()).isEqualTo("whatsapp:+4930901899");
        assertThat(message.text()).isEqualTo("This is the error:\n"
                + "Attachment: https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/SM3/Media/ME1 (image/jpeg)\n"
                + "Attachment: https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/SM3/Media/ME2 (application/pdf)");
        assertThat(message.attributes())
                .containsEntry("mediaUrl1", "https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/SM3/Media/ME2")
                .containsEntry("mediaContentType0", "image/jpeg");
    }

    @Test
    void aSharedLocationIsNotLost() {
        h.twilioPosts("/twilio/sms", form("MessageSid", "SM4", "From", "whatsapp:" + CUSTOMER,
                "To", "whatsapp:+4930901899", "Latitude", "52.52", "Longitude", "13.405", "Address", "Alexanderplatz"));

        assertThat(((CustomerMessage) h.publisher.only().data()).text()).isEqualTo("Location: 52.52,13.405 (Alexanderplatz)");
    }

    @Test
    void aMessageThatCannotBeStoredIsAnswered503() {
        h.publisher.failing(true);

        HttpResponse<String> response = h.twilioPosts("/twilio/sms", form("MessageSid", "SM5", "From", CUSTOMER,
                "To", OUR_NUMBER, "Body", "hello"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("SM5");
    }

    @Test
    void aSenderWithoutAPhoneNumberIsRefusedWithTheReason() {
        HttpResponse<String> response = h.twilioPosts("/twilio/sms", form("MessageSid", "SM6", "From", "ACMEBANK",
                "To", OUR_NUMBER, "Body", "Your code is 1234"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("ACMEBANK").contains("not a phone number");
        assertThat(h.publisher.events()).isEmpty();
    }

    @Test
    void aMessageStatusBecomesADeliveryReportForTheOutboundMessage() {
        HttpResponse<String> response = h.twilioPosts("/twilio/sms/status", "outbound=d-7f3e%3A1",
                form("MessageSid", "SM9", "MessageStatus", "undelivered", "ErrorCode", "30003", "AccountSid", ACCOUNT_SID,
                        "From", "whatsapp:+4930901899", "To", "whatsapp:" + CUSTOMER, "ApiVersion", "2010-04-01"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(h.reports).containsExactly(new DeliveryReport(Channel.WHATSAPP, CUSTOMER + "/+4930901899",
                "d-7f3e:1", "SM9", "undelivered", "30003", NOW));
        assertThat(h.publisher.events()).isEmpty();
    }

    @Test
    void aMessageStatusWithoutStatusIsRefused() {
        HttpResponse<String> response = h.twilioPosts("/twilio/sms/status", form("MessageSid", "SM9"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(h.reports).isEmpty();
    }
}
