package org.contactrouter.channels.email;

import java.util.List;

/**
 * One email conversation as the thread store keeps it: enough to answer the customer in the same thread, and to put
 * the customer's next mail in the same conversation.
 *
 * @param conversation          the thread key: the Message-ID (without brackets) of the mail that started it
 * @param customerAddress       the customer's address (From of their last mail)
 * @param customerName          the customer's display name, when their mail had one
 * @param replyTo               where answers go: the Reply-To of the customer's last mail, else its From
 * @param subject               the subject of the first mail
 * @param messageIds            every Message-ID of the thread, the customer's and ours, oldest first
 * @param lastCustomerMessageId the customer's last mail, which an answer replies to
 * @param neverAutoAnswer       the thread had an automatic, bulk or looping mail: no acknowledgement is ever mailed
 */
record MailThread(String conversation, String customerAddress, String customerName, String replyTo, String subject,
                  List<String> messageIds, String lastCustomerMessageId, boolean neverAutoAnswer) {

    MailThread {
        messageIds = messageIds == null ? List.of() : List.copyOf(messageIds);
    }
}
