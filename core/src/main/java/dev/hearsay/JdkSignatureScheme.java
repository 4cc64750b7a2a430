package dev.hearsay;

/**
 * {@link SignatureScheme#jdk()}: the JDK's EdDSA provider through {@link NodeKey.Signer} and
 * {@link NodeKey.Verifier}. Allocates inside the provider on every call.
 */
final class JdkSignatureScheme implements SignatureScheme
{
    static final JdkSignatureScheme INSTANCE = new JdkSignatureScheme();

    private JdkSignatureScheme()
    {
    }

    @Override
    public String name()
    {
        return "jdk";
    }

    @Override
    public Signer newSigner(final NodeKey key)
    {
        final NodeKey.Signer signer = key.newSigner();
        return (message, offset, length, signature, signatureOffset) ->
        {
            signer.update(message, offset, length);
            signer.sign(signature, signatureOffset);
        };
    }

    @Override
    public Verifier newVerifier(final int keyCacheCapacity)
    {
        final NodeKey.Verifier verifier = new NodeKey.Verifier(keyCacheCapacity);
        return (signer, message, offset, length, signature, signatureOffset) ->
        {
            if (!verifier.begin(signer))
            {
                return false;
            }
            verifier.update(message, offset, length);
            return verifier.verify(signature, signatureOffset);
        };
    }

    @Override
    public String toString()
    {
        return name();
    }
}
