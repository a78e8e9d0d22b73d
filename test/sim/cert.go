package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"
)

// authority is the CA generated for one Server and the leaves it signed.
type authority struct {
	caPEM []byte
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	leaf  tls.Certificate // *.cloud.databricks.com, localhost and loopback
	hosts sync.Map        // host -> *tls.Certificate, for hosts the wildcard misses
}

// newAuthority creates an ECDSA P-256 CA and a leaf for *.cloud.databricks.com,
// localhost and the loopback addresses; leafFor signs the other hosts on demand. Validity uses the real clock, never Config.Now,
// because clients verify certificates against the real clock.
func newAuthority() (*authority, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ca key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "databricks-tokens simulator CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create ca certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse ca certificate: %w", err)
	}

	a := &authority{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		ca:    ca,
		caKey: caKey,
	}
	leaf, err := a.sign([]string{"*" + awsSuffix, "localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback})
	if err != nil {
		return nil, err
	}
	a.leaf = *leaf
	return a, nil
}

// sign issues a leaf for the names and addresses, valid as the CA is.
func (a *authority) sign(names []string, ips []net.IP) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate leaf key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		IPAddresses:  ips,
		NotBefore:    a.ca.NotBefore,
		NotAfter:     a.ca.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.ca, &key.PublicKey, a.caKey)
	if err != nil {
		return nil, fmt.Errorf("create leaf certificate: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, a.ca.Raw}, PrivateKey: key}, nil
}

// leafFor returns a certificate for host: the shared wildcard for an AWS workspace
// ("<label>.cloud.databricks.com"), otherwise one signed for that host on first use
// (a wildcard matches one label only, and Azure and GCP hosts have two below their
// domain).
func (a *authority) leafFor(host string) (*tls.Certificate, error) {
	if label, ok := strings.CutSuffix(host, awsSuffix); ok && !strings.Contains(label, ".") {
		return &a.leaf, nil
	}
	if c, ok := a.hosts.Load(host); ok {
		return c.(*tls.Certificate), nil
	}
	c, err := a.sign([]string{host}, nil)
	if err != nil {
		return nil, err
	}
	actual, _ := a.hosts.LoadOrStore(host, c)
	return actual.(*tls.Certificate), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127)) // crypto/rand does not fail
	return n
}
