extension Duration {
    /// A channel timeout no healthy receiver on 127.0.0.1 reaches, even with the whole suite running in
    /// parallel on a slow CI machine. Tests about timeouts set their own short one.
    public static let healthyReceiverTimeout: Duration = .seconds(60)
}
