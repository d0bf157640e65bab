import Foundation
import HeraldCore
import HeraldDispatch
import HeraldTestSupport
import Testing

@Suite("Rendering deliveries through stencils", .hangGuard)
struct StencilDeliveryTests {
    @Test func everyDeliveryCarriesWhatAFullRenderGivesForItsRecipient() async throws {
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [outbox])
        let names = ["Kim", "", "<Lee & \"Park\">", "  Choi  ", "", "Jung\nHo"]
        let recipients = names.enumerated().map { index, name in
            Recipient(id: "u\(index)", name: name, locale: index % 2 == 0 ? "en" : "ko", contacts: ContactPoints(email: "u\(index)@example.com"))
        }
        _ = try await harness.broadcast(DispatchHarness.apology, recipients: recipients)
        try await harness.worker.drain()
        let deliveries = outbox.deliveries
        #expect(deliveries.count == names.count)
        for delivery in deliveries {
            let context = RenderContext(vars: DispatchHarness.apology.vars, recipient: delivery.recipient, noticeID: delivery.noticeID, now: harness.clock.now())
            let expected = try harness.templates.render("outage-apology", locale: nil, context: context)
            #expect(delivery.rendered == expected, "\(delivery.recipient.name.debugDescription)")
        }
        #expect(deliveries.first { $0.recipient.id == "u1" }?.rendered.text?.contains("고객님, 안녕하십니까.") == true)
    }
}
