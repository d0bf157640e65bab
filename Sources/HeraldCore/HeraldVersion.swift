/// The version `herald --version` prints and `herald_build_info{version}` carries.
public enum HeraldVersion {
    public static let current = "0.7.0"
}
