<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0"
  xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>ocsol</se:Name>
  <UserStyle>
   <se:Name>usage</se:Name>
   <se:Description>
    <se:Title>Usage du sol (nomenclature OCS GE)</se:Title>
    <se:Abstract>Couleurs de la nomenclature d'usage OCS GE, par code_us.</se:Abstract>
   </se:Description>
   <se:FeatureTypeStyle>
   <se:Rule>
    <se:Name>US1.1</se:Name>
    <se:Description><se:Title>US1.1 – Agriculture</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ffffa8</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US1.2</se:Name>
    <se:Description><se:Title>US1.2 – Sylviculture</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#008000</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US1.3</se:Name>
    <se:Description><se:Title>US1.3 – Activités d'extraction</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US1.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#a600cc</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US1.4</se:Name>
    <se:Description><se:Title>US1.4 – Pêche et aquaculture</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US1.4</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#000099</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US1.5</se:Name>
    <se:Description><se:Title>US1.5 – Autre production primaire</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US1.5</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#996633</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US2</se:Name>
    <se:Description><se:Title>US2 – Production secondaire</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#e6004d</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US3</se:Name>
    <se:Description><se:Title>US3 – Production tertiaire</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ff8c00</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US235</se:Name>
    <se:Description><se:Title>US235 – Usage mixte</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US235</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#cc9966</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US4.1.1</se:Name>
    <se:Description><se:Title>US4.1.1 – Réseaux routiers</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US4.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#cc0000</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US4.1.2</se:Name>
    <se:Description><se:Title>US4.1.2 – Réseaux ferrés</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US4.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#5a5a5a</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US4.1.3</se:Name>
    <se:Description><se:Title>US4.1.3 – Réseaux aériens</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US4.1.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#e6cce6</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US4.1.4</se:Name>
    <se:Description><se:Title>US4.1.4 – Réseaux de transport fluvial et maritime</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US4.1.4</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#0066ff</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US4.1.5</se:Name>
    <se:Description><se:Title>US4.1.5 – Autres réseaux de transport</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US4.1.5</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#660033</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US4.2</se:Name>
    <se:Description><se:Title>US4.2 – Services de logistique et de stockage</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US4.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ff0000</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US4.3</se:Name>
    <se:Description><se:Title>US4.3 – Réseaux d'utilité publique</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US4.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ff4b00</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US5</se:Name>
    <se:Description><se:Title>US5 – Usage résidentiel</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US5</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#be0961</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US6.1</se:Name>
    <se:Description><se:Title>US6.1 – Zones en transition</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US6.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ff4dff</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US6.2</se:Name>
    <se:Description><se:Title>US6.2 – Zones abandonnées</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US6.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#404040</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US6.3</se:Name>
    <se:Description><se:Title>US6.3 – Sans usage</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US6.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#f0f028</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>US6.6</se:Name>
    <se:Description><se:Title>US6.6 – Usage inconnu</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_us</ogc:PropertyName><ogc:Literal>US6.6</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ffcc00</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>contours</se:Name>
    <se:Description><se:Title>Limites des polygones (grandes échelles)</se:Title></se:Description>
    <se:MaxScaleDenominator>12500</se:MaxScaleDenominator>
    <se:LineSymbolizer>
     <se:Stroke>
      <se:SvgParameter name="stroke">#5a5a5a</se:SvgParameter>
      <se:SvgParameter name="stroke-opacity">0.6</se:SvgParameter>
      <se:SvgParameter name="stroke-width">0.5</se:SvgParameter>
     </se:Stroke>
    </se:LineSymbolizer>
   </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
